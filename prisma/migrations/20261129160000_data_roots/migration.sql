-- Issue 10 #1: folders on an edge host that staff declare as one experiment's data.
CREATE TABLE "DataRoot" (
    "id" TEXT NOT NULL,
    "edgeHostId" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" TEXT NOT NULL,

    CONSTRAINT "DataRoot_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "DataRoot_experimentId_idx" ON "DataRoot"("experimentId");

CREATE UNIQUE INDEX "DataRoot_edgeHostId_experimentId_path_key" ON "DataRoot"("edgeHostId", "experimentId", "path");

ALTER TABLE "DataRoot" ADD CONSTRAINT "DataRoot_edgeHostId_fkey" FOREIGN KEY ("edgeHostId") REFERENCES "EdgeHost"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "DataRoot" ADD CONSTRAINT "DataRoot_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "DataRoot" ADD CONSTRAINT "DataRoot_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
