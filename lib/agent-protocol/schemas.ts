// The agent ↔ dashboard protocol (JSON over HTTPS, agent connects out). Both sides validate with these
// schemas: the dashboard never trusts an agent, and the agent never trusts what it is sent.
import { z } from "zod";
import { family, finite, id, metricRecord, sha256 } from "@/lib/agent-protocol/primitives";
import { AGENT_STEP_NAMES } from "@/lib/flow/steps";
import { watchedDataRoot } from "@/lib/agent-protocol/intake";
import { owedSpotCheck } from "@/lib/agent-protocol/spot-checks";
import { probeInstruction } from "@/lib/agent-protocol/probes";
import { parallelShape } from "@/lib/agent-protocol/parallel";

export const PROTOCOL_VERSION = 1;
export const MAX_AGENT_BODY_BYTES = 256 * 1024;

export const heartbeatRequest = z.object({
  version: z.string().max(40),
  /** The model zoo's version on this host (a change triggers a recalibration); null when unreadable. */
  zooVersion: z.string().max(40).nullish(),
  dataPlaneUrl: z.url().max(300).nullable(),
  activeTaskIds: z.array(id).max(64),
  /** The agent could take part in a data-plane probe now: probes on, no task, no calibration or spot check running. */
  probeReady: z.boolean().optional(),
  /** Slurm trainers: the scheduler's start estimate measured since the last heartbeat (sbatch --test-only), seconds. */
  schedulerStartSeconds: finite
    .nonnegative()
    .max(90 * 86_400)
    .nullish(),
});
/** The dashboard asks the agent to calibrate these families through this executor, in the background. */
export const calibrationRequest = z.object({
  executor: z.enum(["local", "slurm"]),
  families: z.array(family).min(1).max(8),
  reason: z.string().max(200),
});
export type CalibrationRequest = z.infer<typeof calibrationRequest>;
export const heartbeatResponse = z.object({
  leaseSeconds: z.number(),
  cancelTaskIds: z.array(id),
  /** tasks the agent reported as active that the dashboard no longer leases to it: stop them */
  unknownTaskIds: z.array(id),
  calibrate: calibrationRequest.nullish(),
  /** edge intake: the data roots of this agent's edge host, to watch for new files */
  dataRoots: z.array(watchedDataRoot).max(64).default([]),
  /** edge agents: drift spot checks owed (lib/drift/owed-checks.ts), run one at a time beside tasks */
  spotChecks: z.array(owedSpotCheck).max(16).default([]),
  /** data-plane probe of a route this agent is on (lib/calibration/probes.ts), run beside tasks, dropped for them */
  probe: probeInstruction.nullish(),
  /** Slurm trainers: the shape of one run, to ask the scheduler (sbatch --test-only) when it would start now */
  schedulerEstimate: parallelShape.nullish(),
});

/** One family's calibration, measured by the zoo's calibrate command through the host's executor. */
export const calibrationResult = z.object({
  family,
  /** Submit → model built (job start on Slurm, Python start, torch import, model build). */
  startupSeconds: finite.nonnegative().max(3600),
  /** Slurm: submit → job running; null for a local process. */
  jobStartSeconds: finite.nonnegative().max(3600).nullable(),
  /** Training samples/s at batchSize. */
  trainSamplesPerSecond: finite.positive(),
  /** Of a training step's time, the part that does not grow with the batch; null when not separated. */
  trainStepSeconds: finite.nonnegative().max(3600).nullable().optional(),
  valSamplesPerSecond: finite.positive(),
  batchSize: z.number().int().positive().max(65_536),
  threads: z.number().int().positive().max(4096),
  torch: z.string().max(40),
});
export const calibrationReport = z.object({
  agentVersion: z.string().max(40),
  zooVersion: z.string().max(40),
  results: z.array(calibrationResult).min(1).max(8),
});

export const claimedTask = z.object({
  id,
  runId: id,
  kind: z.enum(AGENT_STEP_NAMES),
  attempt: z.number().int().positive(),
  payload: z.unknown(),
  leaseSeconds: z.number(),
});
export type ClaimedTask = z.infer<typeof claimedTask>;

/** Instead of a task: a scientist has the Retrain dialog open on this Slurm trainer; stand a job of this shape by. */
export const standbyWanted = z.object({ type: z.literal("standby"), parallel: parallelShape });
/** What the agent's long-poll (GET tasks/next) answers with. */
export const agentWork = z.union([standbyWanted, claimedTask]);
export type AgentWork = z.infer<typeof agentWork>;

export const epochMetric = z.object({
  epoch: z.number().int().positive().max(100_000),
  loss: finite,
  valLoss: finite.nullable(),
  metrics: metricRecord,
  seconds: finite.nonnegative(),
  samplesPerSecond: finite.nonnegative(),
  /** Data-parallel runs: each rank's samples/s, indexed by rank. */
  rankSamplesPerSecond: z.array(finite.nonnegative()).max(4096).default([]),
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
  // the first optimiser step finished (the zoo's own clock, ms since the epoch): where dispatch latency ends
  z.object({ type: z.literal("first_batch"), atMs: finite.positive() }),
]);
export const taskEventsRequest = z.object({ events: z.array(taskEvent).min(1).max(200) });

// A task's last reports may come with its end, recorded before it (one request instead of two).
const finalEvents = { events: z.array(taskEvent).max(200).optional() };
export const taskCompletion = z.discriminatedUnion("status", [
  z.object({ status: z.literal("succeeded"), result: z.unknown(), ...finalEvents }),
  z.object({ status: z.literal("failed"), error: z.string().min(1).max(4000), retryable: z.boolean().default(false), ...finalEvents }),
  z.object({ status: z.literal("canceled"), error: z.string().max(4000).optional(), ...finalEvents }),
]);

export const authorizeTransferRequest = z.object({ token: z.string().min(16).max(200) });
export const authorizeTransferResponse = z.object({ transferId: id, path: z.string(), bytes: z.number(), sha256 });
