-- Slurm trainers: the scheduler's own start estimate (sbatch --test-only), for the queue prediction.
ALTER TABLE "Trainer" ADD COLUMN "schedulerStartSeconds" DOUBLE PRECISION,
ADD COLUMN "schedulerEstimatedAt" TIMESTAMP(3);
