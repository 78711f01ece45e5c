// Pure aggregations for the PI turnaround report: end-to-end over time, the paper's Table 1 per trainer,
// medians per experiment and beamtime, time saved against a baseline trainer, and CSV export.

import { median } from "@/lib/cost-model/stats";
import { tableOneBreakdown, type StepSeconds, type TableOneKey, type TableOneRow } from "@/lib/flow/breakdown";

export type Timestamp = Date | string;

export interface TurnaroundRun {
  id: string;
  experimentId: string;
  experimentName: string;
  beamtimeLabel: string | null;
  trainerId: string;
  trainerName: string;
  /** RunStatus: queued, running, succeeded, failed, canceled, lost. Only succeeded runs delivered a model. */
  status: string;
  /** When the run was accepted (the click), so end-to-end includes queue wait, as in the paper. */
  startedAt: Timestamp;
  endedAt: Timestamp | null;
  /** Stored end-to-end, if the run recorded one; otherwise endedAt − startedAt. */
  endToEndSeconds?: number | null;
  stepSeconds: StepSeconds;
  queueSeconds: number | null;
  controlOverheadSeconds: number | null;
}

function toMillis(value: Timestamp | null): number | null {
  if (value === null) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** A run's end-to-end seconds: the stored value, else endedAt − startedAt; null while unfinished. */
export function runEndToEndSeconds(run: TurnaroundRun): number | null {
  if (run.endToEndSeconds !== null && run.endToEndSeconds !== undefined && Number.isFinite(run.endToEndSeconds)) {
    return run.endToEndSeconds;
  }
  const start = toMillis(run.startedAt);
  const end = toMillis(run.endedAt);
  if (start === null || end === null || end < start) return null;
  return (end - start) / 1000;
}

export function runBreakdown(run: TurnaroundRun): TableOneRow {
  return tableOneBreakdown(run.stepSeconds, {
    endToEndSeconds: runEndToEndSeconds(run),
    queueSeconds: run.queueSeconds,
    controlOverheadSeconds: run.controlOverheadSeconds,
  });
}

function completed(runs: readonly TurnaroundRun[]): Array<{ run: TurnaroundRun; endToEndSeconds: number }> {
  const result: Array<{ run: TurnaroundRun; endToEndSeconds: number }> = [];
  for (const run of runs) {
    if (run.status !== "succeeded") continue;
    const endToEndSeconds = runEndToEndSeconds(run);
    if (endToEndSeconds !== null) result.push({ run, endToEndSeconds });
  }
  return result;
}

export interface EndToEndPoint {
  runId: string;
  /** Completion time, epoch milliseconds (for a time axis). */
  endedAtMs: number;
  endToEndSeconds: number;
  trainerId: string;
  trainerName: string;
  experimentId: string;
}

/** End-to-end time of each succeeded run against its completion time, oldest first. */
export function endToEndSeries(runs: readonly TurnaroundRun[]): EndToEndPoint[] {
  const points: EndToEndPoint[] = [];
  for (const { run, endToEndSeconds } of completed(runs)) {
    const endedAtMs = toMillis(run.endedAt) ?? (toMillis(run.startedAt) ?? 0) + endToEndSeconds * 1000;
    points.push({
      runId: run.id,
      endedAtMs,
      endToEndSeconds,
      trainerId: run.trainerId,
      trainerName: run.trainerName,
      experimentId: run.experimentId,
    });
  }
  return points.sort((a, b) => a.endedAtMs - b.endedAtMs || a.runId.localeCompare(b.runId));
}

export interface TrainerBreakdown {
  trainerId: string;
  trainerName: string;
  runs: number;
  /** Median of each column over the trainer's succeeded runs (the medians need not add up to the median end-to-end). */
  median: TableOneRow;
}

/** Per-trainer Table 1 of medians, fastest median end-to-end first. */
export function trainerBreakdown(runs: readonly TurnaroundRun[]): TrainerBreakdown[] {
  const groups = new Map<string, { trainerName: string; rows: TableOneRow[] }>();
  for (const { run } of completed(runs)) {
    const group = groups.get(run.trainerId) ?? {
      trainerName: run.trainerName,
      rows: [],
    };
    group.rows.push(runBreakdown(run));
    groups.set(run.trainerId, group);
  }
  const result: TrainerBreakdown[] = [];
  for (const [trainerId, { trainerName, rows }] of groups) {
    const keys = Object.keys(rows[0]) as TableOneKey[];
    const medianRow = Object.fromEntries(keys.map((key) => [key, median(rows.map((r) => r[key])) ?? 0])) as TableOneRow;
    result.push({ trainerId, trainerName, runs: rows.length, median: medianRow });
  }
  return result.sort((a, b) => a.median.endToEndSeconds - b.median.endToEndSeconds || a.trainerName.localeCompare(b.trainerName));
}

export interface GroupTurnaround {
  key: string;
  label: string;
  /** All runs in the group, whatever their outcome. */
  runs: number;
  /** Succeeded runs: retrains that delivered a model. */
  retrains: number;
  medianEndToEndSeconds: number | null;
}

const NO_BEAMTIME = "(no beamtime)";

function turnaroundBy(runs: readonly TurnaroundRun[], keyOf: (run: TurnaroundRun) => { key: string; label: string }): GroupTurnaround[] {
  const groups = new Map<string, { label: string; runs: number; endToEnd: number[] }>();
  for (const run of runs) {
    const { key, label } = keyOf(run);
    const group = groups.get(key) ?? { label, runs: 0, endToEnd: [] };
    group.runs += 1;
    groups.set(key, group);
  }
  for (const { run, endToEndSeconds } of completed(runs)) groups.get(keyOf(run).key)?.endToEnd.push(endToEndSeconds);
  return [...groups.entries()]
    .map(([key, g]) => ({
      key,
      label: g.label,
      runs: g.runs,
      retrains: g.endToEnd.length,
      medianEndToEndSeconds: median(g.endToEnd),
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

export function medianTurnaroundPerExperiment(runs: readonly TurnaroundRun[]): GroupTurnaround[] {
  return turnaroundBy(runs, (run) => ({
    key: run.experimentId,
    label: run.experimentName,
  }));
}

export function medianTurnaroundPerBeamtime(runs: readonly TurnaroundRun[]): GroupTurnaround[] {
  return turnaroundBy(runs, (run) => {
    const label = run.beamtimeLabel ?? NO_BEAMTIME;
    return { key: label, label };
  });
}

export interface TimeSaved {
  baselineTrainerId: string;
  /** Median end-to-end of the baseline's succeeded runs (or the override); null when unknown. */
  baselineMedianSeconds: number | null;
  baselineRuns: number;
  /** Succeeded runs on other trainers. */
  runsCompared: number;
  /** Σ (baseline median − actual end-to-end); negative when the other trainers were slower. */
  totalSavedSeconds: number;
  perTrainer: Array<{
    trainerId: string;
    trainerName: string;
    runs: number;
    savedSeconds: number;
  }>;
  note: string;
}

/**
 * Time saved by not running on the baseline trainer (e.g. the local GPU): for each succeeded run elsewhere,
 * baseline median − actual. `baselineSeconds` overrides the median (e.g. a predicted baseline when the
 * baseline has never run).
 */
export function timeSavedAgainstBaseline(
  runs: readonly TurnaroundRun[],
  baselineTrainerId: string,
  options: { baselineSeconds?: number } = {},
): TimeSaved {
  const done = completed(runs);
  const baseline = done.filter(({ run }) => run.trainerId === baselineTrainerId);
  const others = done.filter(({ run }) => run.trainerId !== baselineTrainerId);
  const baselineMedian = options.baselineSeconds ?? median(baseline.map((b) => b.endToEndSeconds));
  if (baselineMedian === null) {
    return {
      baselineTrainerId,
      baselineMedianSeconds: null,
      baselineRuns: 0,
      runsCompared: others.length,
      totalSavedSeconds: 0,
      perTrainer: [],
      note: `no succeeded runs on the baseline trainer ${baselineTrainerId}, so time saved cannot be computed.`,
    };
  }
  const perTrainer = new Map<string, { trainerName: string; runs: number; savedSeconds: number }>();
  for (const { run, endToEndSeconds } of others) {
    const entry = perTrainer.get(run.trainerId) ?? {
      trainerName: run.trainerName,
      runs: 0,
      savedSeconds: 0,
    };
    entry.runs += 1;
    entry.savedSeconds += baselineMedian - endToEndSeconds;
    perTrainer.set(run.trainerId, entry);
  }
  const rows = [...perTrainer.entries()].map(([trainerId, e]) => ({ trainerId, ...e })).sort((a, b) => b.savedSeconds - a.savedSeconds);
  return {
    baselineTrainerId,
    baselineMedianSeconds: baselineMedian,
    baselineRuns: baseline.length,
    runsCompared: others.length,
    totalSavedSeconds: rows.reduce((sum, r) => sum + r.savedSeconds, 0),
    perTrainer: rows,
    note:
      options.baselineSeconds !== undefined
        ? `baseline end-to-end given as ${options.baselineSeconds} s.`
        : `baseline is the median end-to-end of ${baseline.length} succeeded run${baseline.length === 1 ? "" : "s"} on ${baselineTrainerId}.`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

export type CsvCell = string | number | boolean | Date | null | undefined;

const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
// Spreadsheets evaluate cells starting with these as formulas (OWASP "CSV injection"); tab and CR too.
const FORMULA_START = /^[=+\-@\t\r]/;

function cellText(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  if (cell instanceof Date) return Number.isFinite(cell.getTime()) ? cell.toISOString() : "";
  if (typeof cell === "number") return Number.isFinite(cell) ? String(cell) : "";
  if (typeof cell === "boolean") return cell ? "true" : "false";
  // Text that a spreadsheet would run as a formula gets a leading apostrophe; plain numbers written as
  // text ("-3.5") are left alone so numeric columns stay numeric.
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

function quoteField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to RFC 4180 CSV: CRLF line breaks, fields with comma, quote or line break quoted, quotes doubled. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<CsvCell>>): string {
  return rows.map((row) => row.map((cell) => quoteField(cellText(cell))).join(",")).join("\r\n") + (rows.length > 0 ? "\r\n" : "");
}

export const TURNAROUND_CSV_HEADER = [
  "run_id",
  "experiment",
  "beamtime",
  "trainer",
  "status",
  "started_at",
  "ended_at",
  "queue_s",
  "data_transfer_s",
  "label_s",
  "training_s",
  "model_transfer_s",
  "deploy_s",
  "control_overhead_s",
  "end_to_end_s",
] as const;

/** One row per run (any status) for the PI report export, header first. */
export function turnaroundCsvRows(runs: readonly TurnaroundRun[]): CsvCell[][] {
  const rows: CsvCell[][] = [[...TURNAROUND_CSV_HEADER]];
  for (const run of runs) {
    const finished = runEndToEndSeconds(run) !== null;
    const b = runBreakdown(run);
    rows.push([
      run.id,
      run.experimentName,
      run.beamtimeLabel ?? "",
      run.trainerName,
      run.status,
      toIso(run.startedAt),
      toIso(run.endedAt),
      b.queueSeconds,
      b.dataTransferSeconds,
      b.labellingSeconds,
      b.trainingSeconds,
      b.modelTransferSeconds,
      b.deploySeconds,
      finished ? b.controlOverheadSeconds : null,
      finished ? b.endToEndSeconds : null,
    ]);
  }
  return rows;
}

function toIso(value: Timestamp | null): string {
  const ms = toMillis(value);
  return ms === null ? "" : new Date(ms).toISOString();
}
