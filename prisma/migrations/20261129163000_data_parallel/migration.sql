-- Data-parallel training: the trainer's parallel shape, the run's number of ranks, per-rank throughput.
ALTER TABLE "Trainer" ADD COLUMN "nodes" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN "tasksPerNode" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN "gpusPerNode" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "Run" ADD COLUMN "workers" INTEGER NOT NULL DEFAULT 1;

ALTER TABLE "RunMetric" ADD COLUMN "rankSamplesPerSec" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[];
