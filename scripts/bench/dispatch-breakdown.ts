// Where a run's dispatch time goes, from the launch server action to the first training batch, split at
// the moments the dashboard records anyway (run, tasks, transfers, the train step's reports). Pure: the
// flow benchmark reads the rows and passes their times here.

/** The recorded moments of one run's dispatch, in ms since the epoch (one machine, one clock). */
export interface DispatchMoments {
  /** The bench sent the launch server action. */
  actionSentAt: number;
  runCreatedAt: number;
  stageIn: { createdAt: number; leasedAt: number; endedAt: number };
  /** The stage-in's transfers: whole call and start-up (call → first byte), seconds. */
  transfers: { seconds: number; startupSeconds: number }[];
  train: { createdAt: number; leasedAt: number };
  /** The dashboard received the agent's "started" report (the job process is running). */
  trainingStartedAt: number;
  /** The zoo finished its first batch (its own clock). */
  firstBatchAt: number;
}

/** The stages of dispatch, in the order they happen; they add up to action → first batch. */
export const DISPATCH_STAGES = [
  "action → run created",
  "run created → stage-in task queued",
  "stage-in task queued → claimed",
  "stage-in transfers (S included)",
  "stage-in: rest of the task (start, verify, report)",
  "stage-in done → train task queued",
  "train task queued → claimed",
  "train claimed → job running (executor)",
  "job running → first batch (zoo)",
] as const;
export type DispatchStage = (typeof DISPATCH_STAGES)[number];

/** Each stage's seconds for one run. */
export function dispatchStages(m: DispatchMoments): Record<DispatchStage, number> {
  const s = (from: number, to: number) => (to - from) / 1000;
  // Transfers of one task run one after the other: their wall times add up.
  const transferSeconds = m.transfers.reduce((sum, t) => sum + t.seconds, 0);
  return {
    "action → run created": s(m.actionSentAt, m.runCreatedAt),
    "run created → stage-in task queued": s(m.runCreatedAt, m.stageIn.createdAt),
    "stage-in task queued → claimed": s(m.stageIn.createdAt, m.stageIn.leasedAt),
    "stage-in transfers (S included)": transferSeconds,
    "stage-in: rest of the task (start, verify, report)": s(m.stageIn.leasedAt, m.stageIn.endedAt) - transferSeconds,
    "stage-in done → train task queued": s(m.stageIn.endedAt, m.train.createdAt),
    "train task queued → claimed": s(m.train.createdAt, m.train.leasedAt),
    "train claimed → job running (executor)": s(m.train.leasedAt, m.trainingStartedAt),
    "job running → first batch (zoo)": s(m.trainingStartedAt, m.firstBatchAt),
  };
}
