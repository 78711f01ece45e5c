// Launches a run through the dashboard's own launch function, against a test stack's database.
import { randomUUID } from "node:crypto";
import type { Stack } from "@/testing/stack";

export interface LaunchOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  maxSamples?: number | null;
  trainer?: "local-cpu" | "slurm-cluster";
  dataset?: string;
  idempotencyKey?: string;
  parentVersionId?: string | null;
  /** Launch as the Retrain dialog does, storing its prediction (default: no prediction). */
  withPrediction?: boolean;
}

/**
 * lib/db reads DATABASE_URL once per process, so the test process points it at the stack's database
 * before importing the flow (each integration test file runs in its own worker).
 */
export async function launchInTest(stack: Stack, options: LaunchOptions = {}) {
  process.env.DATABASE_URL = stack.databaseUrl;
  const { launchRun } = await import("@/lib/flow/launch-run");
  const { launchPredictedRun } = await import("@/lib/server/predictions/launch-predicted");
  const scientist = await stack.prisma.user.findUniqueOrThrow({ where: { email: "scientist@demo.test" } });
  const dataset = await stack.prisma.dataset.findFirstOrThrow({ where: { name: { startsWith: options.dataset ?? "scan-0042" } } });
  const trainer = await stack.prisma.trainer.findUniqueOrThrow({ where: { name: options.trainer ?? "local-cpu" } });
  const input = {
    experimentId: dataset.experimentId,
    datasetId: dataset.id,
    trainerId: trainer.id,
    parentVersionId: options.parentVersionId ?? null,
    epochs: options.epochs ?? 2,
    batchSize: options.batchSize ?? 256,
    learningRate: options.learningRate ?? 0.001,
    seed: 1,
    maxSamples: options.maxSamples ?? 1000,
    reason: "integration test",
    idempotencyKey: options.idempotencyKey ?? randomUUID(),
  };
  if (options.withPrediction) return (await launchPredictedRun({ actor: scientist, input })).run;
  const { run } = await launchRun({ actorId: scientist.id, input });
  return run;
}

/** Cancels a run as the scientist would (the dashboard's own cancel function). */
export async function cancelInTest(stack: Stack, runId: string) {
  process.env.DATABASE_URL = stack.databaseUrl;
  const { cancelRun } = await import("@/lib/flow/cancel-run");
  const scientist = await stack.prisma.user.findUniqueOrThrow({ where: { email: "scientist@demo.test" } });
  await cancelRun({ actorId: scientist.id, runId });
}

/** Retries a failed, lost or canceled run (the dashboard's own retry function); returns where it resumes. */
export async function retryInTest(stack: Stack, runId: string) {
  process.env.DATABASE_URL = stack.databaseUrl;
  const { retryRun } = await import("@/lib/flow/retry-run");
  const scientist = await stack.prisma.user.findUniqueOrThrow({ where: { email: "scientist@demo.test" } });
  return retryRun({ actorId: scientist.id, runId });
}
