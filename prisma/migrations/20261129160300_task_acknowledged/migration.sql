-- Issue 10 #14: a claimed task is acknowledged by the agent; one never acknowledged is handed out again.
ALTER TABLE "Task" ADD COLUMN "acknowledgedAt" TIMESTAMP(3);
