/**
 * Common executor interface: how the agent runs a training job on a trainer, either as a local
 * child process or as a Slurm batch job. Both give the same handle: stdout lines as they come,
 * the pending→running moment (queue wait vs training time), the final outcome, and cancel.
 */
import { parallelShape, type ParallelShape } from "@/lib/agent-protocol/parallel";

export interface JobSpec {
  /** Run id from the dashboard; used in job names and file names. */
  runId: string;
  /** Full argv; argv[0] is an absolute path (e.g. /usr/bin/python3). Never run through a shell. */
  argv: string[];
  /** Absolute directory; the job runs there and its files (stderr, sbatch script, output) live there. */
  workdir: string;
  /**
   * Environment of the job, on top of a minimal base (PATH, HOME, LANG; see baseJobEnv). The agent's
   * own environment (tokens etc.) is NOT passed on. OMP_NUM_THREADS defaults to `cpus`.
   */
  env: Record<string, string>;
  /** CPUs of each task (rank); OMP_NUM_THREADS defaults to it. */
  cpus: number;
  timeLimitMinutes: number;
  /**
   * Data-parallel shape (Slurm: one task per rank, started through srun); absent: one process. The local
   * executor runs argv as given: a local multi-rank job's argv is itself the launcher.
   */
  parallel?: ParallelShape;
  /**
   * A standby job submitted under one of these keys (SlurmExecutor.standBy: the run's id, or the one the Retrain
   * dialog asked for) may become this job; the first key with a standby that can is used.
   */
  standbyKeys?: string[];
}

export type JobState = "completed" | "failed" | "canceled" | "timeout";

export type JobOutcome = {
  state: JobState;
  /** Process exit code; null when it ended by a signal or is unknown. */
  exitCode: number | null;
  /** Human-readable detail: signal, Slurm state/reason, last stderr lines. */
  detail: string;
};

export interface RunningInfo {
  /** When the job started running (Slurm: its StartTime; local: spawn time). */
  startedAt: Date;
  /** When this process noticed it. */
  observedAt: Date;
}

export interface ExecutorStatus {
  executorJobId: string;
  /** e.g. "pending (Resources)", "running", "Slurm controller unreachable; retrying in 4s". */
  message: string;
  /** True while something looks wrong but may recover (controller unreachable). */
  transient: boolean;
  at: Date;
}

export interface JobHandle {
  executorJobId: string;
  /** The job became a pre-started process (no interpreter start or imports on its path). */
  startedWarm?: boolean;
  /**
   * Stdout lines (without the newline) as they come, ending when the job has ended and all its
   * output was read. Single consumer: lines are buffered until read; call it once.
   */
  lines(): AsyncIterable<string>;
  /** Resolves when the job leaves the queue and starts running; null if it ended without running. */
  running(): Promise<RunningInfo | null>;
  /** Final outcome. Never rejects for job failures; rejects only on programming errors. */
  wait(): Promise<JobOutcome>;
  /**
   * Stop the job: SIGTERM first (whole process group / all Slurm steps), SIGKILL (scancel) after
   * a grace period. Resolves once the request is made and the job has ended (or the grace passed).
   */
  cancel(): Promise<void>;
}

export interface Executor {
  kind: "local" | "slurm";
  start(spec: JobSpec): Promise<JobHandle>;
  /** Reconnect to a job started by an earlier agent process (output is re-read from the start). */
  attach?(executorJobId: string, workdir: string): Promise<JobHandle>;
  /** Local: waits until a pre-started process is ready for the next job. */
  whenWarm?(): Promise<void>;
  /** Slurm: the scheduler's estimate of how long a job of this spec would wait to start now, seconds (no job created). */
  estimateStart?(spec: JobSpec): Promise<number | null>;
}

/** Base of the job environment: nothing secret from the agent's own environment. */
export function baseJobEnv(spec: Pick<JobSpec, "env" | "cpus">): Record<string, string> {
  const base: Record<string, string> = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    LANG: process.env.LANG || "C.UTF-8",
    HOME: process.env.HOME || "/tmp",
    PYTHONUNBUFFERED: "1",
    OMP_NUM_THREADS: String(Math.max(1, Math.floor(spec.cpus))),
  };
  if (process.env.TMPDIR) base.TMPDIR = process.env.TMPDIR;
  return { ...base, ...spec.env };
}

export class ExecutorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ExecutorError";
  }
}

/** The job spec is unusable (bad argv, workdir, env name...). Not retryable. */
export class InvalidJobSpecError extends ExecutorError {
  constructor(message: string) {
    super(message);
    this.name = "InvalidJobSpecError";
  }
}

/** Slurm controller could not be reached (transient; retry later). */
export class SlurmUnavailableError extends ExecutorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SlurmUnavailableError";
  }
}

/** Slurm rejected the submission (bad options, limits...). Not transient. */
export class SlurmSubmitError extends ExecutorError {
  constructor(message: string) {
    super(message);
    this.name = "SlurmSubmitError";
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function validateSpec(spec: JobSpec): void {
  if (!spec.runId || !/^[A-Za-z0-9._-]{1,128}$/.test(spec.runId)) {
    throw new InvalidJobSpecError(`runId must match [A-Za-z0-9._-]{1,128}: ${JSON.stringify(spec.runId)}`);
  }
  if (!Array.isArray(spec.argv) || spec.argv.length === 0 || !spec.argv[0]) {
    throw new InvalidJobSpecError("argv must be a non-empty array");
  }
  if (!spec.argv[0].startsWith("/")) {
    throw new InvalidJobSpecError(`argv[0] must be an absolute path, got ${JSON.stringify(spec.argv[0])}`);
  }
  for (const argument of spec.argv) {
    if (typeof argument !== "string" || argument.includes("\0")) throw new InvalidJobSpecError("argv entries must be strings without NUL");
  }
  if (!spec.workdir.startsWith("/")) throw new InvalidJobSpecError("workdir must be absolute");
  for (const [name, value] of Object.entries(spec.env)) {
    if (!ENV_NAME.test(name)) throw new InvalidJobSpecError(`bad environment variable name ${JSON.stringify(name)}`);
    if (typeof value !== "string" || value.includes("\0")) throw new InvalidJobSpecError(`bad value for env ${name}`);
  }
  if (!Number.isInteger(spec.cpus) || spec.cpus < 1) throw new InvalidJobSpecError("cpus must be an integer >= 1");
  if (spec.parallel) {
    const checked = parallelShape.safeParse(spec.parallel);
    if (!checked.success) throw new InvalidJobSpecError(`parallel shape: ${checked.error.issues[0]?.message}`);
  }
  if (!Number.isFinite(spec.timeLimitMinutes) || spec.timeLimitMinutes <= 0) {
    throw new InvalidJobSpecError("timeLimitMinutes must be > 0");
  }
}
