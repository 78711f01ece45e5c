-- Drift detection at the edge (issue 13.2): spot checks of model versions on datasets, per-experiment policy.
CREATE TYPE "SpotCheckMetric" AS ENUM ('px', 'mse');

CREATE TABLE "SpotCheck" (
    "id" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "edgeHostId" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "metric" "SpotCheckMetric" NOT NULL,
    "meanValue" DOUBLE PRECISION NOT NULL,
    "p95Value" DOUBLE PRECISION NOT NULL,
    "samples" INTEGER NOT NULL,
    "drawn" INTEGER NOT NULL,
    "fraction" DOUBLE PRECISION NOT NULL,
    "seconds" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SpotCheck_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "DriftPolicy" (
    "experimentId" TEXT NOT NULL,
    "familyId" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "fraction" DOUBLE PRECISION NOT NULL,
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DriftPolicy_pkey" PRIMARY KEY ("experimentId","familyId")
);

CREATE UNIQUE INDEX "SpotCheck_modelVersionId_datasetId_key" ON "SpotCheck"("modelVersionId", "datasetId");
CREATE INDEX "SpotCheck_experimentId_createdAt_idx" ON "SpotCheck"("experimentId", "createdAt");
CREATE INDEX "SpotCheck_edgeHostId_idx" ON "SpotCheck"("edgeHostId");

ALTER TABLE "SpotCheck" ADD CONSTRAINT "SpotCheck_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SpotCheck" ADD CONSTRAINT "SpotCheck_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SpotCheck" ADD CONSTRAINT "SpotCheck_edgeHostId_fkey" FOREIGN KEY ("edgeHostId") REFERENCES "EdgeHost"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SpotCheck" ADD CONSTRAINT "SpotCheck_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DriftPolicy" ADD CONSTRAINT "DriftPolicy_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DriftPolicy" ADD CONSTRAINT "DriftPolicy_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "ModelFamily"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DriftPolicy" ADD CONSTRAINT "DriftPolicy_updatedById_fkey" FOREIGN KEY ("updatedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
