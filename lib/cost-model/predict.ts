// The shape of a turnaround prediction (computed in lib/cost-model/launch-prediction.ts), the
// recommendation, and predicted-vs-actual.

import type { DurationEstimate } from "@/lib/cost-model/fit";
import type { EvidenceSource } from "@/lib/cost-model/scaling-model";
import { mean, median } from "@/lib/cost-model/stats";
import type { StepSeconds } from "@/lib/flow/breakdown";
import { STEP_KEYS, type StepKey } from "@/lib/flow/steps";

/**
 * One step's predicted duration. `plusMinusSeconds` is the half-width of the 80 % prediction interval
 * (predictions stored before calibration existed carried a 1σ there).
 */
export interface StepPrediction extends DurationEstimate {
  source: EvidenceSource;
  /** Where the number comes from ("BraggNN training on local-cpu: least squares over 4 runs, …"). */
  note?: string;
}

export interface TurnaroundPrediction {
  trainerId: string;
  trainerName: string;
  steps: {
    queue: StepPrediction;
    stageIn: StepPrediction;
    label?: StepPrediction;
    train: StepPrediction;
    stageOut: StepPrediction;
    deploy: StepPrediction;
  };
  /** The dashboard's own control overhead between steps (end-to-end minus the steps). */
  overhead?: StepPrediction;
  totalSeconds: number;
  /** Half-width of the total's interval: step half-widths combined in quadrature. */
  plusMinusSeconds: number;
  /** Coverage the ± aims at: 80 (older stored predictions: absent, a 1σ). */
  intervalPercent?: number;
  /** One sentence per step saying where its numbers come from. */
  basis: string[];
}

/**
 * The trainer with the smallest predicted total. Totals within `tieToleranceSeconds` count as a tie and go
 * to the smaller uncertainty, then to the trainer id so the choice is stable. Null for no predictions.
 */
export function recommendFastest(
  predictions: readonly TurnaroundPrediction[],
  options: { tieToleranceSeconds?: number } = {},
): TurnaroundPrediction | null {
  const tolerance = options.tieToleranceSeconds ?? 0;
  let best: TurnaroundPrediction | null = null;
  for (const candidate of predictions) {
    if (!Number.isFinite(candidate.totalSeconds)) continue;
    if (best === null) {
      best = candidate;
      continue;
    }
    const difference = candidate.totalSeconds - best.totalSeconds;
    if (difference < -tolerance) best = candidate;
    else if (Math.abs(difference) <= tolerance) {
      if (
        candidate.plusMinusSeconds < best.plusMinusSeconds ||
        (candidate.plusMinusSeconds === best.plusMinusSeconds && candidate.trainerId < best.trainerId)
      ) {
        best = candidate;
      }
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------
// Predicted versus actual

export interface ActualTurnaround {
  steps: StepSeconds;
  totalSeconds: number;
}

export interface StepError {
  predictedSeconds: number;
  actualSeconds: number;
  /** predicted − actual: positive means the prediction was too pessimistic. */
  errorSeconds: number;
  absoluteErrorSeconds: number;
  /** (predicted − actual) / actual; null when the actual time was zero. */
  relativeError: number | null;
  /** Whether |error| ≤ the predicted ± (1σ). */
  withinUncertainty: boolean;
}

export interface PredictionError {
  trainerId: string;
  /** Only the steps that were both predicted and measured. */
  steps: Partial<Record<StepKey, StepError>>;
  total: StepError;
}

function stepError(predicted: DurationEstimate, actualSeconds: number): StepError {
  const errorSeconds = predicted.seconds - actualSeconds;
  return {
    predictedSeconds: predicted.seconds,
    actualSeconds,
    errorSeconds,
    absoluteErrorSeconds: Math.abs(errorSeconds),
    relativeError: actualSeconds === 0 ? null : errorSeconds / actualSeconds,
    withinUncertainty: Math.abs(errorSeconds) <= predicted.plusMinusSeconds,
  };
}

export function predictionError(predicted: TurnaroundPrediction, actual: ActualTurnaround): PredictionError {
  const steps: Partial<Record<StepKey, StepError>> = {};
  for (const step of STEP_KEYS) {
    const prediction = predicted.steps[step];
    const actualSeconds = actual.steps[step];
    if (prediction === undefined || actualSeconds === undefined || !Number.isFinite(actualSeconds)) continue;
    steps[step] = stepError(prediction, actualSeconds);
  }
  return {
    trainerId: predicted.trainerId,
    steps,
    total: stepError(
      {
        seconds: predicted.totalSeconds,
        plusMinusSeconds: predicted.plusMinusSeconds,
      },
      actual.totalSeconds,
    ),
  };
}

export interface ErrorSummary {
  runs: number;
  /** Mean |predicted − actual| / actual × 100 over runs with a non-zero actual; null without any. */
  meanAbsolutePercentageError: number | null;
  /** Mean signed (predicted − actual) / actual × 100: positive = predictions too slow, negative = too fast. */
  biasPercent: number | null;
  meanAbsoluteErrorSeconds: number | null;
  medianAbsoluteErrorSeconds: number | null;
  /** Share of runs whose actual total fell within the predicted ±. */
  fractionWithinUncertainty: number | null;
}

export interface PredictionErrorSummary {
  total: ErrorSummary;
  steps: Partial<Record<StepKey, ErrorSummary>>;
}

function summarise(errors: readonly StepError[]): ErrorSummary {
  const relative = errors.map((e) => e.relativeError).filter((r): r is number => r !== null);
  const meanRelative = mean(relative);
  const meanAbsoluteRelative = mean(relative.map(Math.abs));
  const absolute = errors.map((e) => e.absoluteErrorSeconds);
  return {
    runs: errors.length,
    meanAbsolutePercentageError: meanAbsoluteRelative === null ? null : meanAbsoluteRelative * 100,
    biasPercent: meanRelative === null ? null : meanRelative * 100,
    meanAbsoluteErrorSeconds: mean(absolute),
    medianAbsoluteErrorSeconds: median(absolute),
    fractionWithinUncertainty: errors.length === 0 ? null : errors.filter((e) => e.withinUncertainty).length / errors.length,
  };
}

export function summarizePredictionErrors(errors: readonly PredictionError[]): PredictionErrorSummary {
  const steps: Partial<Record<StepKey, ErrorSummary>> = {};
  for (const step of STEP_KEYS) {
    const stepErrors = errors.map((e) => e.steps[step]).filter((e): e is StepError => e !== undefined);
    if (stepErrors.length > 0) steps[step] = summarise(stepErrors);
  }
  return { total: summarise(errors.map((e) => e.total)), steps };
}
