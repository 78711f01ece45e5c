// The six steps of a retrain run (DESIGN §4), as keys shared by predictions and reports.

export const TURNAROUND_STEPS = ["queue", "stageIn", "label", "train", "stageOut", "deploy"] as const;
export type TurnaroundStep = (typeof TURNAROUND_STEPS)[number];

/** Step names as stored (Prisma enum StepName). */
export type StoredStepName = "queue" | "stage_in" | "label" | "train" | "stage_out" | "deploy";

const STEP_BY_STORED_NAME: Record<StoredStepName, TurnaroundStep> = {
  queue: "queue",
  stage_in: "stageIn",
  label: "label",
  train: "train",
  stage_out: "stageOut",
  deploy: "deploy",
};

export function stepFromStoredName(name: StoredStepName): TurnaroundStep {
  return STEP_BY_STORED_NAME[name];
}

export const STEP_LABELS: Record<TurnaroundStep, string> = {
  queue: "Queue",
  stageIn: "Stage-in",
  label: "Label",
  train: "Train",
  stageOut: "Stage-out",
  deploy: "Deploy",
};

export type StepSeconds = Partial<Record<TurnaroundStep, number>>;

/**
 * Sums step rows (several attempts of one step add up: a retried stage-in cost both attempts) into
 * seconds per step. Rows without a duration are skipped.
 */
export function stepSecondsFromRows(rows: ReadonlyArray<{ name: StoredStepName; seconds: number | null }>): StepSeconds {
  const result: StepSeconds = {};
  for (const row of rows) {
    if (row.seconds === null || !Number.isFinite(row.seconds)) continue;
    const step = stepFromStoredName(row.name);
    result[step] = (result[step] ?? 0) + row.seconds;
  }
  return result;
}
