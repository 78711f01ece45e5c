-- Data-plane probes (issue 9): an edge agent and a trainer agent move a few files of known sizes each way before any
-- run, so stage-in and stage-out are predicted from T = x/v + S fitted on that route from the first click.
CREATE TYPE "ProbeStatus" AS ENUM ('open', 'succeeded', 'failed');

ALTER TABLE "Agent" ADD COLUMN "probeReady" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Transfer" ADD COLUMN "probeId" TEXT;

CREATE TABLE "TransferProbe" (
    "id" TEXT NOT NULL,
    "edgeAgentId" TEXT NOT NULL,
    "trainerAgentId" TEXT NOT NULL,
    "status" "ProbeStatus" NOT NULL DEFAULT 'open',
    "reason" TEXT NOT NULL,
    "sizes" INTEGER[],
    "edgeVersion" TEXT,
    "trainerVersion" TEXT,
    "edgeReadyAt" TIMESTAMP(3),
    "trainerReadyAt" TIMESTAMP(3),
    "edgeTicketsAt" TIMESTAMP(3),
    "trainerTicketsAt" TIMESTAMP(3),
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "TransferProbe_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Transfer_probeId_idx" ON "Transfer"("probeId");
CREATE INDEX "TransferProbe_edgeAgentId_trainerAgentId_createdAt_idx" ON "TransferProbe"("edgeAgentId", "trainerAgentId", "createdAt");
CREATE INDEX "TransferProbe_trainerAgentId_status_idx" ON "TransferProbe"("trainerAgentId", "status");

ALTER TABLE "Transfer" ADD CONSTRAINT "Transfer_probeId_fkey" FOREIGN KEY ("probeId") REFERENCES "TransferProbe"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "TransferProbe" ADD CONSTRAINT "TransferProbe_edgeAgentId_fkey" FOREIGN KEY ("edgeAgentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "TransferProbe" ADD CONSTRAINT "TransferProbe_trainerAgentId_fkey" FOREIGN KEY ("trainerAgentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;
