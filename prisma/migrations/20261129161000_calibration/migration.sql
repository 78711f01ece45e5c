-- Calibration measurements (issue 9): trainers and edge agents measure start-up and throughput on connect.
ALTER TYPE "MeasurementKind" ADD VALUE 'training';

CREATE TYPE "MeasurementSource" AS ENUM ('run', 'calibration');

ALTER TABLE "Measurement"
  ADD COLUMN "source" "MeasurementSource" NOT NULL DEFAULT 'run',
  ADD COLUMN "trainerId" TEXT,
  ADD COLUMN "startupSeconds" DOUBLE PRECISION,
  ADD COLUMN "jobStartSeconds" DOUBLE PRECISION,
  ADD COLUMN "valSecondsPerDatum" DOUBLE PRECISION,
  ADD COLUMN "batchSize" INTEGER,
  ADD COLUMN "agentVersion" TEXT,
  ADD COLUMN "zooVersion" TEXT;

CREATE INDEX "Measurement_source_trainerId_createdAt_idx" ON "Measurement"("source", "trainerId", "createdAt");

ALTER TABLE "Trainer" ADD COLUMN "recalibrateRequestedAt" TIMESTAMP(3);
