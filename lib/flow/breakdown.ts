// The paper's Table 1 for one run, from its step rows and the step registry: one implementation for the
// run page, the stored run, and the turnaround report. Pure.
import { STEP_ORDER, type StepKey, type StepName, type TableOneColumn } from "@/lib/flow/steps";

export type StepSeconds = Partial<Record<StepKey, number>>;

export type TableOneKey = `${TableOneColumn}Seconds` | "controlOverheadSeconds" | "endToEndSeconds";
export type TableOneRow = Record<TableOneKey, number>;

const columnKey = (column: TableOneColumn): TableOneKey => `${column}Seconds`;

// Okabe–Ito yellow: the one colour of that palette no step uses.
const CONTROL_OVERHEAD_COLOR = "#F0E442";

export interface TableOneRowSpec {
  key: TableOneKey;
  label: string;
  /** The step whose predicted seconds sit beside this column. */
  step?: StepKey;
  color?: string;
}

/** Table 1's rows in run order: each step's column, our control overhead, then end-to-end. */
export const TABLE_ONE_ROWS: readonly TableOneRowSpec[] = [
  ...STEP_ORDER.map((s) => ({ key: columnKey(s.column), label: s.columnLabel, step: s.key, color: s.color })),
  { key: "controlOverheadSeconds", label: "Control overhead", color: CONTROL_OVERHEAD_COLOR },
  { key: "endToEndSeconds", label: "End-to-end" },
];

/** The columns that add up to end-to-end. */
export const TABLE_ONE_COMPONENTS: readonly TableOneRowSpec[] = TABLE_ONE_ROWS.filter((r) => r.key !== "endToEndSeconds");

/** Sums step rows into seconds per step: the attempts of a retried step add up (both cost time). */
export function stepSecondsFromRows(rows: ReadonlyArray<{ name: StepName; seconds: number | null }>): StepSeconds {
  const result: StepSeconds = {};
  for (const row of rows) {
    if (row.seconds === null || !Number.isFinite(row.seconds)) continue;
    const key = STEP_ORDER.find((s) => s.name === row.name)?.key;
    if (key) result[key] = (result[key] ?? 0) + row.seconds;
  }
  return result;
}

const finiteOr = (value: number | null | undefined, fallback: number): number =>
  value !== null && value !== undefined && Number.isFinite(value) ? value : fallback;

/** End-to-end minus the time the steps themselves took: our own dispatch and bookkeeping. Never negative. */
export function controlOverhead(endToEndSeconds: number, stepSeconds: readonly number[]): number {
  const work = stepSeconds.reduce((sum, s) => sum + (Number.isFinite(s) ? s : 0), 0);
  return Math.max(0, endToEndSeconds - work);
}

/**
 * One run's Table 1 row. Queue wait comes from `queueSeconds` when given, else from the queue step.
 * Without an end-to-end time, end-to-end is the sum of the parts; without a recorded control overhead, it
 * is computed from end-to-end.
 */
export function tableOneBreakdown(
  steps: StepSeconds,
  options: { endToEndSeconds?: number | null; queueSeconds?: number | null; controlOverheadSeconds?: number | null } = {},
): TableOneRow {
  const parts = {} as Record<`${TableOneColumn}Seconds`, number>;
  for (const step of STEP_ORDER) parts[`${step.column}Seconds`] = (parts[`${step.column}Seconds`] ?? 0) + finiteOr(steps[step.key], 0);
  parts.queueSeconds = finiteOr(options.queueSeconds, parts.queueSeconds);
  const work = Object.values(parts);
  const endToEnd = options.endToEndSeconds;
  if (endToEnd === null || endToEnd === undefined || !Number.isFinite(endToEnd)) {
    const overhead = Math.max(0, finiteOr(options.controlOverheadSeconds, 0));
    return { ...parts, controlOverheadSeconds: overhead, endToEndSeconds: work.reduce((a, b) => a + b, 0) + overhead };
  }
  return {
    ...parts,
    controlOverheadSeconds: Math.max(0, finiteOr(options.controlOverheadSeconds, controlOverhead(endToEnd, work))),
    endToEndSeconds: endToEnd,
  };
}
