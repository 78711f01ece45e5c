-- Issue 13 #4: deploy compares a new version with the one in service; a worse one is held back (registered,
-- not put in service) until someone deploys it anyway.
CREATE TABLE "DeployDecision" (
    "id" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "edgeHostId" TEXT NOT NULL,
    "inServiceDeploymentId" TEXT,
    "inServiceVersion" INTEGER,
    "metric" TEXT NOT NULL,
    "newValue" DOUBLE PRECISION,
    "inServiceValue" DOUBLE PRECISION,
    "inServiceMetrics" JSONB,
    "heldBack" BOOLEAN NOT NULL,
    "reason" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "validation" JSONB NOT NULL,
    "decidedAt" TIMESTAMP(3) NOT NULL,
    "deployedAnywayAt" TIMESTAMP(3),

    CONSTRAINT "DeployDecision_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "DeployDecision_modelVersionId_key" ON "DeployDecision"("modelVersionId");

CREATE INDEX "DeployDecision_edgeHostId_heldBack_idx" ON "DeployDecision"("edgeHostId", "heldBack");

ALTER TABLE "DeployDecision" ADD CONSTRAINT "DeployDecision_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "DeployDecision" ADD CONSTRAINT "DeployDecision_edgeHostId_fkey" FOREIGN KEY ("edgeHostId") REFERENCES "EdgeHost"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "DeployDecision" ADD CONSTRAINT "DeployDecision_inServiceDeploymentId_fkey" FOREIGN KEY ("inServiceDeploymentId") REFERENCES "Deployment"("id") ON DELETE SET NULL ON UPDATE CASCADE;
