-- Issue 10 #14: a claimed task is acknowledged by the agent; one never acknowledged is handed out again.
ALTER TABLE "Task" ADD COLUMN "acknowledgedAt" TIMESTAMP(3);

-- Tasks leased before this change were delivered under the old protocol: count them as acknowledged.
UPDATE "Task" SET "acknowledgedAt" = "leasedAt" WHERE status = 'leased';
