// Pure: reads a stored Run.predicted (the TurnaroundPrediction the Retrain dialog showed) and a finished run's
// measured step times into the shapes of lib/cost-model/predict.ts, tolerating old or partial JSON.
import { z } from "zod";
import type { ActualTurnaround, TurnaroundPrediction } from "@/lib/cost-model/predict";
import { stepSecondsFromRows } from "@/lib/flow/breakdown";
import { STEP_KEYS, type StepName } from "@/lib/flow/steps";

const step = z.object({
  seconds: z.number().finite(),
  plusMinusSeconds: z.number().finite().nonnegative().catch(0),
  // Predictions stored before calibration existed said "measured" for what runs gave.
  source: z
    .enum(["runs", "calibration", "paper", "measured"])
    .transform((s) => (s === "measured" ? "runs" : s))
    .catch("paper"),
  note: z.string().max(1000).optional().catch(undefined),
});

const stored = z.object({
  totalSeconds: z.number().finite(),
  plusMinusSeconds: z.number().finite().nonnegative().catch(0),
  steps: z
    .object({
      queue: step.optional().catch(undefined),
      stageIn: step.optional().catch(undefined),
      label: step.optional().catch(undefined),
      train: step.optional().catch(undefined),
      stageOut: step.optional().catch(undefined),
      deploy: step.optional().catch(undefined),
    })
    .catch({}),
  overhead: step.optional().catch(undefined),
  intervalPercent: z.number().optional().catch(undefined),
  basis: z.array(z.string()).catch([]),
});

const ZERO = { seconds: 0, plusMinusSeconds: 0, source: "paper" as const };

/** The stored prediction, or null when it is missing or unreadable (such runs are left out of the report). */
export function parseStoredPrediction(json: unknown, trainer: { id: string; name: string }): TurnaroundPrediction | null {
  const parsed = stored.safeParse(json);
  if (!parsed.success) return null;
  const { steps, totalSeconds, plusMinusSeconds, basis, overhead, intervalPercent } = parsed.data;
  return {
    trainerId: trainer.id,
    trainerName: trainer.name,
    steps: {
      queue: steps.queue ?? ZERO,
      stageIn: steps.stageIn ?? ZERO,
      ...(steps.label ? { label: steps.label } : {}),
      train: steps.train ?? ZERO,
      stageOut: steps.stageOut ?? ZERO,
      deploy: steps.deploy ?? ZERO,
    },
    ...(overhead ? { overhead } : {}),
    totalSeconds,
    plusMinusSeconds,
    ...(intervalPercent ? { intervalPercent } : {}),
    basis,
  };
}

/**
 * What the run actually took: step rows summed per step (retries add up), the queue wait from the run's own
 * record when it has one, and end-to-end (click to deployed, control overhead included) as the total.
 */
export function actualTurnaround(run: {
  steps: ReadonlyArray<{ name: StepName; seconds: number | null }>;
  queueSeconds: number | null;
  endToEndSeconds: number | null;
  createdAt: Date;
  endedAt: Date | null;
}): ActualTurnaround | null {
  const steps = stepSecondsFromRows(run.steps);
  if (run.queueSeconds !== null && Number.isFinite(run.queueSeconds)) steps.queue = run.queueSeconds;
  const total = run.endToEndSeconds ?? (run.endedAt ? (run.endedAt.getTime() - run.createdAt.getTime()) / 1000 : null);
  if (total === null || !Number.isFinite(total) || total < 0) return null;
  return { steps, totalSeconds: total };
}

export const REPORTED_STEPS = STEP_KEYS;
