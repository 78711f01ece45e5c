// Runs model-zoo commands (Python/PyTorch) and reads their JSON-lines protocol (zoo/README.md).
import path from "node:path";
import fs from "node:fs/promises";
import { LocalExecutor, SlurmExecutor, type Executor, type JobHandle, type JobSpec } from "@/agent/executors";
import type { AgentConfig } from "@/agent/config";
import { cpusPerTask, ranksOf, shapeProblem, SINGLE_PROCESS, type ParallelShape } from "@/lib/agent-protocol/parallel";
import { TaskFailure, type TaskContext } from "@/agent/task-context";
import { taskDir } from "@/agent/store";

export type ZooLine = { type: string; [key: string]: unknown };

let local: LocalExecutor | null = null;
let slurm: SlurmExecutor | null = null;

/** Local jobs of the zoo start from a warm process (torch already imported) when the agent allows it. */
export function localExecutor(config: AgentConfig): LocalExecutor {
  local ??= new LocalExecutor({
    warm: config.warmStart
      ? {
          argvPrefix: [config.python, "-m", "beamline_zoo"],
          warmArgv: [config.python, "-m", "beamline_zoo.warm"],
          env: zooEnv(config),
          cpus: config.cpus,
          dir: path.join(config.workdir, "warm"),
        }
      : undefined,
  });
  return local;
}

// Slurm is polled every 250 ms: the pending → running moment is part of the dispatch latency users feel.
function slurmExecutor(): SlurmExecutor {
  return (slurm ??= new SlurmExecutor({ pollIntervalMs: 250 }));
}

export function executor(kind: "local" | "slurm", config: AgentConfig): Executor {
  return kind === "slurm" ? slurmExecutor() : localExecutor(config);
}

/** How long a standby Slurm job waits for its training job once it runs, before it gives up (warm.py). */
const STANDBY_WAIT_SECONDS = 120;
/** The key of the standby the dialog asked for: any training of its shape on this agent may become it. */
export const PREPARED_STANDBY_KEY = "prepared";

/**
 * Submits a standby Slurm job for this run's coming training job, so that Slurm's scheduling pass and the
 * imports overlap what still comes before it; a standby the Retrain dialog asked for (prepareForTraining) is kept
 * (renewed) instead, when one waits. Returns what it did.
 */
export function standByForTraining(context: TaskContext, shape: ParallelShape) {
  const { runId } = context.task;
  return keepOrSubmitStandby(context.config, shape, runId, runId, STANDBY_WAIT_SECONDS);
}

/**
 * The Retrain dialog is open on this Slurm trainer: a standby job of the training's shape is submitted, or the one
 * submitted before is renewed, so that a launch finds the scheduling pass and the imports behind it.
 */
export function prepareForTraining(config: AgentConfig, shape: ParallelShape) {
  const filesId = `${PREPARED_STANDBY_KEY}-${Date.now()}`;
  return keepOrSubmitStandby(config, shape, PREPARED_STANDBY_KEY, filesId, config.preparedStandbySeconds);
}

/**
 * Renews the dialog's standby when one waits, else submits a standby under `key`, its files named by `filesId` (a
 * run's id, or a unique one). One process only; off with the warm start (AGENT_WARM_START=0).
 */
async function keepOrSubmitStandby(
  config: AgentConfig,
  shape: ParallelShape,
  key: string,
  filesId: string,
  waitSeconds: number,
): Promise<"submitted" | "renewed" | null> {
  if (!config.warmStart || ranksOf(shape) !== 1) return null;
  if (await slurmExecutor().renewStandby(PREPARED_STANDBY_KEY)) return "renewed";
  const { jobFile, note } = standbyFiles(config, filesId);
  const dir = path.dirname(jobFile);
  const argvPrefix = [config.python, "-m", "beamline_zoo"];
  // The resources the training job will ask for (zooJob), so that the standby can become it.
  const { cpus, parallel } = zooJob(config.python, [], "slurm", shape, config.cpus);
  slurmExecutor().standBy(key, {
    spec: {
      runId: `${filesId}-standby`,
      argv: [config.python, "-m", "beamline_zoo.warm", "--job-file", jobFile, "--wait-seconds", String(waitSeconds)],
      cpus,
      parallel,
      workdir: dir,
      env: zooEnv(config),
      timeLimitMinutes: config.timeLimitMinutes + Math.ceil(waitSeconds / 60),
    },
    argvPrefix,
    jobFile,
    note,
  });
  return "submitted";
}

/**
 * Where a run's standby Slurm job takes its command from (warm.py --job-file), and where its job id is noted until
 * the agent has settled its fate: one folder of notes, so that a start reads only the standbys left unsettled.
 */
function standbyFiles(config: AgentConfig, runId: string) {
  return {
    jobFile: path.join(taskDir(config.workdir, runId, "standby"), "job.json"),
    note: path.join(standbyNotes(config), runId),
  };
}

const standbyNotes = (config: AgentConfig) => path.join(config.workdir, "standby-jobs");

/**
 * Cancels the standby Slurm jobs an earlier process of this agent submitted and never handed a job: after a crash
 * between a stage-in and its training, nothing would, and each would hold its allocation for its whole wait.
 */
export async function cancelAbandonedStandbys(config: AgentConfig): Promise<string[]> {
  let owners: string[];
  try {
    owners = await fs.readdir(standbyNotes(config));
  } catch {
    return []; // this agent never submitted one
  }
  const cancelled: string[] = [];
  for (const owner of owners) {
    if (await slurmExecutor().cancelAbandonedStandby(standbyFiles(config, owner))) {
      cancelled.push(owner.startsWith(PREPARED_STANDBY_KEY) ? "a Retrain dialog" : `run ${owner}`);
    }
  }
  return cancelled;
}

/** Cancels this run's standby Slurm job, if one waits (its stage-in failed or was cancelled). */
export async function dropStandby(context: TaskContext): Promise<void> {
  await slurm?.dropStandby(context.task.runId);
}

/** The job environment of every zoo command (the warm process must start with the same one). */
function zooEnv(config: AgentConfig): Record<string, string> {
  return { PYTHONPATH: config.zooDir };
}

/**
 * Argv, CPUs per rank and Slurm shape of a zoo command: one process; on Slurm one task per rank (srun in
 * the job script); locally the zoo's launcher (torchrun's machinery) starting a rank per task.
 */
export function zooJob(
  python: string,
  args: string[],
  kind: "local" | "slurm",
  shape: ParallelShape,
  cpus: number,
): Pick<JobSpec, "argv" | "cpus" | "parallel"> {
  const problem = shapeProblem(shape, kind);
  if (problem) throw new TaskFailure(problem);
  const zoo = [python, "-m", "beamline_zoo", ...args];
  if (ranksOf(shape) === 1) return { argv: zoo, cpus };
  const perTask = cpusPerTask(cpus, shape);
  if (kind === "slurm") return { argv: zoo, cpus: perTask, parallel: shape };
  return {
    argv: [python, "-m", "beamline_zoo.launch", "--nproc-per-node", String(shape.tasksPerNode), ...args],
    cpus: perTask,
  };
}

export function parseZooLine(line: string): ZooLine | null {
  if (!line.startsWith("{")) return null;
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === "object" && typeof (value as ZooLine).type === "string" ? (value as ZooLine) : null;
  } catch {
    return null;
  }
}

export interface ZooRun {
  lines: ZooLine[];
  handle: JobHandle;
}

/**
 * Starts `python -m beamline_zoo <args>` through the given executor, passes each protocol line to
 * `onLine`, stops the job when the task is canceled, and throws a TaskFailure with the zoo's own
 * error message when it fails.
 */
export async function runZoo(
  context: TaskContext,
  args: string[],
  options: {
    executor?: "local" | "slurm";
    /** Data-parallel shape of a training job (default: one process). */
    parallel?: ParallelShape;
    workdir: string;
    onLine?: (line: ZooLine) => void;
    onStarted?: (handle: JobHandle) => void;
  },
): Promise<ZooRun> {
  const { config, signal } = context;
  await fs.mkdir(options.workdir, { recursive: true });
  const kind = options.executor ?? "local";
  const handle = await executor(kind, config).start({
    runId: `${context.task.runId}-${context.task.kind}-${context.task.attempt}`,
    ...zooJob(config.python, args, kind, options.parallel ?? SINGLE_PROCESS, config.cpus),
    workdir: options.workdir,
    env: zooEnv(config),
    timeLimitMinutes: config.timeLimitMinutes,
    standbyKeys: [context.task.runId, PREPARED_STANDBY_KEY],
  });
  await fs.writeFile(path.join(options.workdir, "executor-job-id"), handle.executorJobId);
  options.onStarted?.(handle);
  const onAbort = () => void handle.cancel();
  signal.addEventListener("abort", onAbort);
  const lines: ZooLine[] = [];
  let zooError: string | null = null;
  try {
    for await (const raw of handle.lines()) {
      const line = parseZooLine(raw);
      if (!line) {
        if (raw.trim()) context.log(raw);
        continue;
      }
      lines.push(line);
      if (line.type === "error") zooError = String(line.message ?? "unknown error");
      options.onLine?.(line);
    }
    const outcome = await handle.wait();
    if (signal.aborted) throw new TaskFailure("Canceled on request.");
    if (outcome.state !== "completed") {
      throw new TaskFailure(
        zooError ?? `${args[0]} ${outcome.state} (exit ${outcome.exitCode ?? "signal"}): ${outcome.detail}`,
        outcome.state === "timeout",
      );
    }
    return { lines, handle };
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
