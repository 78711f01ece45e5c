-- Edge intake: datasets found by the edge agent in a data root, and the files it last saw there.
ALTER TABLE "DataRoot" ADD COLUMN "lastScannedAt" TIMESTAMP(3);

ALTER TABLE "Dataset" ADD COLUMN "dataRootId" TEXT;
CREATE INDEX "Dataset_dataRootId_idx" ON "Dataset"("dataRootId");
ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_dataRootId_fkey" FOREIGN KEY ("dataRootId") REFERENCES "DataRoot"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "DataRootFile" (
    "id" TEXT NOT NULL,
    "dataRootId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "sha256" TEXT,
    "familyKey" TEXT,
    "kind" "DatasetKind",
    "sampleCount" INTEGER,
    "shapes" JSONB,
    "problem" TEXT,
    "datasetId" TEXT,
    "reportedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DataRootFile_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "DataRootFile_dataRootId_path_key" ON "DataRootFile"("dataRootId", "path");
CREATE INDEX "DataRootFile_datasetId_idx" ON "DataRootFile"("datasetId");
ALTER TABLE "DataRootFile" ADD CONSTRAINT "DataRootFile_dataRootId_fkey" FOREIGN KEY ("dataRootId") REFERENCES "DataRoot"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DataRootFile" ADD CONSTRAINT "DataRootFile_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;
