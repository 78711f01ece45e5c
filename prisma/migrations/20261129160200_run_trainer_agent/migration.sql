-- Issue 10 #13: the trainer agent that runs a run's trainer-side steps (kept while it stays live).
ALTER TABLE "Run" ADD COLUMN "trainerAgentId" TEXT;

ALTER TABLE "Run" ADD CONSTRAINT "Run_trainerAgentId_fkey" FOREIGN KEY ("trainerAgentId") REFERENCES "Agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;
