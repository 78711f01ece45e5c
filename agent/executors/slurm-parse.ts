/** Pure helpers for the Slurm executor: parsing scontrol output, mapping states, rendering sbatch scripts. */
import { ranksOf, SINGLE_PROCESS } from "@/lib/agent-protocol/parallel";
import type { JobOutcome, JobSpec } from "./types";

/** Parses one `scontrol show job -o` line (or a jobcomp/filetxt line) into key → value. */
export function parseKeyValues(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  // a key starts after whitespace and looks like Name=, AllocNode:Sid=, CPUs/Task=, ReqB:S:C:T= ...
  const keyPattern = /(?:^|\s)([A-Za-z][A-Za-z0-9_:/]*)=/g;
  const marks: { key: string; start: number; valueStart: number }[] = [];
  let match: RegExpExecArray | null;
  while ((match = keyPattern.exec(line)) !== null) {
    marks.push({ key: match[1], start: match.index, valueStart: match.index + match[0].length });
  }
  for (let markIndex = 0; markIndex < marks.length; markIndex++) {
    const end = markIndex + 1 < marks.length ? marks[markIndex + 1].start : line.length;
    out[marks[markIndex].key] = line.slice(marks[markIndex].valueStart, end).trim();
  }
  return out;
}

export interface SlurmJobInfo {
  jobId: string;
  /** e.g. PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY */
  state: string;
  reason: string;
  exitCode: number | null;
  signal: number | null;
  startTime: Date | null;
  endTime: Date | null;
  nodeList: string | null;
  stdOut: string | null;
  stdErr: string | null;
}

export function parseExitCode(text: string | undefined): { code: number | null; signal: number | null } {
  const match = /^(\d+):(\d+)$/.exec(text ?? "");
  if (!match) return { code: null, signal: null };
  return { code: Number(match[1]), signal: Number(match[2]) };
}

function parseSlurmTime(text: string | undefined): Date | null {
  if (!text || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text)) return null; // "Unknown", "None", "N/A"
  const date = new Date(text); // Slurm prints local time without zone; Date parses it as local time
  return Number.isNaN(date.getTime()) ? null : date;
}

function nullish(text: string | undefined): string | null {
  return !text || text === "(null)" || text === "None" || text === "N/A" ? null : text;
}

export function parseJobInfo(line: string): SlurmJobInfo | null {
  const keyValues = parseKeyValues(line);
  if (!keyValues.JobId || !keyValues.JobState) return null;
  const { code, signal } = parseExitCode(keyValues.ExitCode);
  return {
    jobId: keyValues.JobId,
    state: keyValues.JobState.split(/\s/)[0],
    reason: keyValues.Reason ?? "",
    exitCode: code,
    signal,
    startTime: parseSlurmTime(keyValues.StartTime),
    endTime: parseSlurmTime(keyValues.EndTime),
    nodeList: nullish(keyValues.NodeList),
    stdOut: nullish(keyValues.StdOut),
    stdErr: nullish(keyValues.StdErr),
  };
}

const ACTIVE = new Set([
  "PENDING",
  "CONFIGURING",
  "RUNNING",
  "COMPLETING",
  "SUSPENDED",
  "REQUEUED",
  "REQUEUE_FED",
  "REQUEUE_HOLD",
  "RESIZING",
  "SIGNALING",
  "STAGE_OUT",
  "STOPPED",
  "RESV_DEL_HOLD",
]);

export function isActiveState(state: string): boolean {
  return ACTIVE.has(state);
}

/** Started running at some point (RUNNING now, or ended after having had a node). */
export function hasRun(info: SlurmJobInfo): boolean {
  if (info.state === "PENDING" || info.state === "CONFIGURING" || info.state === "REQUEUED") return false;
  if (info.state === "RUNNING" || info.state === "COMPLETING" || info.state === "SUSPENDED") return true;
  return info.nodeList !== null && info.startTime !== null;
}

/**
 * Maps a terminal Slurm state to an outcome; null while the job is still active.
 * `cancelRequested`: the agent asked for cancel, so a job that ended by our signal counts as canceled.
 */
export function outcomeFromInfo(info: SlurmJobInfo, cancelRequested: boolean): JobOutcome | null {
  if (isActiveState(info.state)) return null;
  const sig = info.signal ? ` (signal ${info.signal})` : "";
  const reason = info.reason && info.reason !== "None" ? `, reason ${info.reason}` : "";
  const base = `Slurm job ${info.jobId} ${info.state}, ExitCode ${info.exitCode ?? "?"}:${info.signal ?? "?"}${reason}`;
  const exitCode = info.signal ? null : info.exitCode;
  switch (info.state) {
    case "COMPLETED":
      if (cancelRequested) return { state: "canceled", exitCode, detail: `${base} (cancel was requested)` };
      return { state: "completed", exitCode: info.exitCode ?? 0, detail: base };
    case "CANCELLED":
      return { state: "canceled", exitCode, detail: base + sig };
    case "TIMEOUT":
    case "DEADLINE":
      return { state: cancelRequested ? "canceled" : "timeout", exitCode, detail: base };
    default:
      // FAILED, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, PREEMPTED, ...
      if (cancelRequested) return { state: "canceled", exitCode, detail: `${base}${sig} (cancel was requested)` };
      return { state: "failed", exitCode, detail: base + sig };
  }
}

/** stderr of a Slurm client command that means "controller not reachable" (transient). */
export function isControllerUnreachable(stderr: string): boolean {
  return /Unable to contact slurm controller|Socket timed out|Connection refused|Zero Bytes were transmitted|Connection reset|Communication connection failure|Slurm backup controller in standby|temporarily unable|Transport endpoint/i.test(
    stderr,
  );
}

export function isInvalidJobId(stderr: string): boolean {
  return /Invalid job id/i.test(stderr);
}

/** Single-quotes a string for bash. */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface SbatchRender {
  jobName: string;
  outputPattern: string;
  errorPattern: string;
  partition?: string;
  memPerCpuMb?: number;
  env: Record<string, string>;
}

/** Paths that go into #SBATCH lines must be plain (no whitespace, quotes, % patterns). */
export const SAFE_SLURM_PATH = /^\/[A-Za-z0-9._\-/+@=,:]*$/;

export function renderSbatchScript(spec: JobSpec, render: SbatchRender): string {
  const shape = spec.parallel ?? SINGLE_PROCESS;
  const lines = [
    "#!/bin/bash",
    `# Generated by the Beamline Retrain agent for run ${spec.runId}. Submit by hand with: sbatch <this file>`,
    `#SBATCH --job-name=${render.jobName}`,
    `#SBATCH --nodes=${shape.nodes}`,
    `#SBATCH --ntasks-per-node=${shape.tasksPerNode}`,
    `#SBATCH --cpus-per-task=${spec.cpus}`,
    `#SBATCH --time=${Math.max(1, Math.ceil(spec.timeLimitMinutes))}`,
    `#SBATCH --chdir=${spec.workdir}`,
    `#SBATCH --output=${render.outputPattern}`,
    `#SBATCH --error=${render.errorPattern}`,
    // No --export=NIL: it delayed each job's start by 0.3–1.3 s on Slurm 22.05 (submit → script running,
    // measured against the same script without it). The agent's own environment (tokens...) stays out all the
    // same: sbatch itself runs with a clean one (SlurmExecutor), and the job exports what it needs below.
  ];
  if (shape.gpusPerNode > 0) lines.push(`#SBATCH --gpus-per-node=${shape.gpusPerNode}`);
  if (render.partition) lines.push(`#SBATCH --partition=${render.partition}`);
  if (render.memPerCpuMb) lines.push(`#SBATCH --mem-per-cpu=${render.memPerCpuMb}`);
  lines.push("");
  for (const [name, value] of Object.entries(render.env)) lines.push(`export ${name}=${shQuote(value)}`);
  lines.push(`cd ${shQuote(spec.workdir)} || exit 97`);
  if (ranksOf(shape) === 1) {
    lines.push(`exec ${spec.argv.map(shQuote).join(" ")}`);
  } else {
    // One rank per task: the first node hosts the rendezvous, on a port derived from the job id so that
    // jobs sharing a node do not collide. srun is told --cpus-per-task itself (Slurm 22.05+ no longer
    // passes the batch job's on), and one failing rank ends them all instead of leaving the rest waiting.
    lines.push(`export MASTER_ADDR="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)"`);
    lines.push("export MASTER_PORT=$((20000 + SLURM_JOB_ID % 20000))");
    // --export=ALL: every rank gets the variables exported above, whatever SLURM_EXPORT_ENV a site sets.
    lines.push(`exec srun --export=ALL --kill-on-bad-exit=1 --cpus-per-task=${spec.cpus} ${spec.argv.map(shQuote).join(" ")}`);
  }
  return lines.join("\n") + "\n";
}

/** Parses `sbatch --parsable` output: "123" or "123;cluster". */
export function parseSbatchParsable(stdout: string): string | null {
  const match = /^(\d+)(?:;\S+)?\s*$/m.exec(stdout.trim());
  return match ? match[1] : null;
}

/**
 * Slurm's own start estimate from `sbatch --test-only` (stderr: "sbatch: Job 12 to start at 2026-11-30T10:00:05
 * using 2 processors on nodes n1 in partition debug"): seconds from `now` until then (0 when it is now or past),
 * or null when Slurm gave none (rejected, or no estimate printed).
 */
export function parseTestOnlyStart(output: string, now: Date): number | null {
  const match = /Job \d+ to start at (\S+)/.exec(output);
  const start = parseSlurmTime(match?.[1]);
  return start ? Math.max(0, (start.getTime() - now.getTime()) / 1000) : null;
}
