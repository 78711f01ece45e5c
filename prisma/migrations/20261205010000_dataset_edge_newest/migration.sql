-- CreateIndex
CREATE INDEX "Dataset_edgeHostId_experimentId_familyKey_createdAt_idx" ON "Dataset"("edgeHostId", "experimentId", "familyKey", "createdAt");
