// The agent ↔ dashboard protocol (JSON over HTTPS, agent connects out). Both sides validate with these
// schemas: the dashboard never trusts an agent, and the agent never trusts what it is sent.
import { z } from "zod";

export const PROTOCOL_VERSION = 1;
export const MAX_AGENT_BODY_BYTES = 256 * 1024;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lowercase hex characters");
const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "ids are letters, digits, _ and -");
const finite = z.number().finite();

export const heartbeatRequest = z.object({
  version: z.string().max(40),
  dataPlaneUrl: z.url().max(300).nullable(),
  activeTaskIds: z.array(id).max(64),
});
export const heartbeatResponse = z.object({
  leaseSeconds: z.number(),
  cancelTaskIds: z.array(id),
  /** tasks the agent reported as active that the dashboard no longer leases to it: stop them */
  unknownTaskIds: z.array(id),
});

/** A file to fetch from another agent's data plane. */
export const transferTicket = z.object({
  transferId: id,
  url: z.url().max(400),
  token: z.string().min(32).max(128),
  bytes: z.number().int().nonnegative(),
  sha256,
});

export const trainParams = z.object({
  epochs: z.number().int().min(1).max(5000),
  batchSize: z.number().int().min(1).max(8192),
  learningRate: z.number().positive().max(1),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  maxSamples: z.number().int().positive().nullable(),
});

export const stageInPayload = z.object({
  dataset: transferTicket.extend({ name: z.string().max(200) }),
  parentCheckpoint: transferTicket.nullable(),
});
export const labelPayload = z.object({ datasetSha256: sha256 });
export const trainPayload = z.object({
  family: z.enum(["braggnn", "cookienetae"]),
  datasetSha256: sha256,
  labelled: z.boolean(),
  parentSha256: sha256.nullable(),
  executor: z.enum(["local", "slurm"]),
  params: trainParams,
});
// Raw data is labelled at the data center (step A); its labels travel back with the model (the paper's
// "labels back"), so the edge can validate the new model on labelled held-out data.
export const stageOutPayload = z.object({ artifact: transferTicket, labelledDataset: transferTicket.nullable().default(null) });
export const deployPayload = z.object({
  family: z.enum(["braggnn", "cookienetae"]),
  artifactSha256: sha256,
  /** Held-out data: the registered dataset on the edge host, or the labelled copy that came back with the model. */
  validation: z.union([z.object({ path: z.string().min(1).max(1024) }), z.object({ labelledSha256: sha256 })]),
  maxValidationSamples: z.number().int().positive(),
});

export const taskPayloads = {
  stage_in: stageInPayload,
  label: labelPayload,
  train: trainPayload,
  stage_out: stageOutPayload,
  deploy: deployPayload,
} as const;
export type TaskKind = keyof typeof taskPayloads;

export const claimedTask = z.object({
  id,
  runId: id,
  kind: z.enum(["stage_in", "label", "train", "stage_out", "deploy"]),
  attempt: z.number().int().positive(),
  payload: z.unknown(),
  leaseSeconds: z.number(),
});
export type ClaimedTask = z.infer<typeof claimedTask>;

export const epochMetric = z.object({
  epoch: z.number().int().positive().max(100_000),
  loss: finite,
  valLoss: finite.nullable(),
  metrics: z.record(z.string().max(40), finite),
  seconds: finite.nonnegative(),
  samplesPerSecond: finite.nonnegative(),
});

/** What an agent reports while a task runs; a batch per request. */
export const taskEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("log"), line: z.string().max(4000) }),
  z.object({
    type: z.literal("progress"),
    done: z.number().nonnegative(),
    total: z.number().nonnegative(),
    note: z.string().max(200).optional(),
  }),
  z.object({ type: z.literal("metric"), metric: epochMetric }),
  // training process running (after any scheduler queue): splits queue wait from training time
  z.object({ type: z.literal("started"), executorJobId: z.string().max(64) }),
]);
export const taskEventsRequest = z.object({ events: z.array(taskEvent).min(1).max(200) });

export const transferResult = z.object({
  transferId: id,
  bytes: z.number().int().nonnegative(),
  seconds: finite.nonnegative(),
  startupSeconds: finite.nonnegative(),
  attempts: z.number().int().positive(),
});

export const taskResults = {
  stage_in: z.object({ transfers: z.array(transferResult).min(1).max(2) }),
  label: z.object({
    peaks: z.number().int().nonnegative(),
    secondsPerPeak: finite.nonnegative(),
    failed: z.number().int().nonnegative(),
    output: z.object({ path: z.string().max(1024), bytes: z.number().int().positive(), sha256 }),
  }),
  train: z.object({
    artifact: z.object({ path: z.string().max(1024), bytes: z.number().int().positive(), sha256 }),
    trainSeconds: finite.nonnegative(),
    queueSeconds: finite.nonnegative(),
    epochs: z.number().int().nonnegative(),
  }),
  stage_out: z.object({ transfers: z.array(transferResult).min(1).max(2) }),
  deploy: z.object({
    path: z.string().max(1024),
    sha256,
    metrics: z.record(z.string().max(40), finite),
    secondsPerDatum: finite.positive(),
    samples: z.number().int().positive(),
    exported: z.array(z.object({ format: z.string().max(20), path: z.string().max(1024), bytes: z.number().int() })).max(4),
  }),
} as const;

export const taskCompletion = z.discriminatedUnion("status", [
  z.object({ status: z.literal("succeeded"), result: z.unknown() }),
  z.object({ status: z.literal("failed"), error: z.string().min(1).max(4000), retryable: z.boolean().default(false) }),
  z.object({ status: z.literal("canceled"), error: z.string().max(4000).optional() }),
]);

export const authorizeTransferRequest = z.object({ token: z.string().min(16).max(200) });
export const authorizeTransferResponse = z.object({ transferId: id, path: z.string(), bytes: z.number(), sha256 });
