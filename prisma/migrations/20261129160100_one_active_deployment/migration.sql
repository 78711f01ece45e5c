-- Issue 10 #5: a deployment carries its version's family and experiment, so that at most one deployment
-- is active per (edge host, family, experiment): one experiment's restore or deploy never retires another's.
ALTER TABLE "Deployment" ADD COLUMN "experimentId" TEXT,
ADD COLUMN "familyId" TEXT;

UPDATE "Deployment" d SET "familyId" = v."familyId", "experimentId" = v."experimentId"
FROM "ModelVersion" v WHERE v."id" = d."modelVersionId";

ALTER TABLE "Deployment" ALTER COLUMN "familyId" SET NOT NULL;

ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "ModelFamily"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Before the index: keep only the newest active deployment where older data holds several.
UPDATE "Deployment" d SET "active" = false, "retiredAt" = now()
WHERE d."active" AND EXISTS (
  SELECT 1 FROM "Deployment" n
  WHERE n."active" AND n."edgeHostId" = d."edgeHostId" AND n."familyId" = d."familyId"
    AND n."experimentId" IS NOT DISTINCT FROM d."experimentId"
    AND (n."deployedAt", n."id") > (d."deployedAt", d."id")
);

-- Partial unique indexes cannot be written in schema.prisma: this one lives only here. NULLS NOT DISTINCT:
-- versions without an experiment also get one active deployment per (edge host, family).
CREATE UNIQUE INDEX "Deployment_one_active" ON "Deployment"("edgeHostId", "familyId", "experimentId") NULLS NOT DISTINCT
WHERE "active";
