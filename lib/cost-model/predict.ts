// Predicted end-to-end turnaround per trainer before launch, the recommendation, and predicted-vs-actual.

import {
  predictTrainingSeconds,
  predictTransferSeconds,
  type DurationEstimate,
  type FitSource,
  type PerDatumFit,
  type QueueWaitFit,
  type TrainingFit,
  type TransferFit,
} from "@/lib/cost-model/fit";
import { mean, median, quadratureSum } from "@/lib/cost-model/stats";
import type { StepSeconds } from "@/lib/flow/breakdown";
import { STEP_KEYS, type StepKey } from "@/lib/flow/steps";

/**
 * Assumed 1σ relative uncertainty of the backlog estimate: runs ahead are modelled as taking as long as
 * this one, which is crude.
 */
export const BACKLOG_RELATIVE_UNCERTAINTY = 0.5;

export interface TrainerPredictionInput {
  trainerId: string;
  trainerName: string;
  queueWait: QueueWaitFit;
  /** Runs ahead of this one on the trainer, queued or running. */
  queueDepth: number;
  /** Runs the trainer executes at once (≥ 1). */
  concurrency: number;
  /** Edge → trainer fit; null when the trainer reads the data in place (no transfer). */
  stageIn: TransferFit | null;
  /** Trainer → edge fit; null when no transfer is needed. */
  stageOut: TransferFit | null;
  training: TrainingFit;
  dataset: { bytes: number; files: number; samples: number };
  epochs: number;
  modelBytes: number;
  /** Conventional labelling at the data center; omitted when the dataset is already labelled. */
  label?: { analysisCost: PerDatumFit; unlabelledSamples: number };
  /** Deploy loads the model and benchmarks inference on held-out data: C(E) × validation samples (+ load). */
  deploy: {
    estimateCost: PerDatumFit;
    validationSamples: number;
    loadSeconds?: DurationEstimate;
  };
}

export interface StepPrediction extends DurationEstimate {
  source: FitSource;
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
  totalSeconds: number;
  /** Step uncertainties combined in quadrature (steps are treated as independent). */
  plusMinusSeconds: number;
  /** One sentence per step saying where its numbers come from. */
  basis: string[];
}

const NO_TRANSFER: StepPrediction = {
  seconds: 0,
  plusMinusSeconds: 0,
  source: "measured",
};

export function predictTurnaround(input: TrainerPredictionInput): TurnaroundPrediction {
  const basis: string[] = [];

  const stageIn: StepPrediction =
    input.stageIn === null
      ? NO_TRANSFER
      : {
          ...predictTransferSeconds(input.stageIn, input.dataset.bytes),
          source: input.stageIn.basis.source,
        };
  basis.push(input.stageIn === null ? "stage-in: none, the trainer reads the dataset in place." : `stage-in: ${input.stageIn.basis.note}`);

  let label: StepPrediction | undefined;
  if (input.label !== undefined) {
    const cost = input.label.analysisCost.secondsPerDatum;
    label = {
      seconds: cost.value * input.label.unlabelledSamples,
      plusMinusSeconds: cost.uncertainty * input.label.unlabelledSamples,
      source: input.label.analysisCost.basis.source,
    };
    basis.push(`label: ${input.label.analysisCost.basis.note}`);
  }

  const train: StepPrediction = {
    ...predictTrainingSeconds(input.training, input.dataset.samples, input.epochs),
    source: input.training.basis.source,
  };
  basis.push(`train: ${input.training.basis.note}`);

  const stageOut: StepPrediction =
    input.stageOut === null
      ? NO_TRANSFER
      : {
          ...predictTransferSeconds(input.stageOut, input.modelBytes),
          source: input.stageOut.basis.source,
        };
  basis.push(
    input.stageOut === null ? "stage-out: none, the model is already where it is deployed." : `stage-out: ${input.stageOut.basis.note}`,
  );

  const estimate = input.deploy.estimateCost.secondsPerDatum;
  const load = input.deploy.loadSeconds ?? { seconds: 0, plusMinusSeconds: 0 };
  const deploy: StepPrediction = {
    seconds: load.seconds + estimate.value * input.deploy.validationSamples,
    plusMinusSeconds: quadratureSum([load.plusMinusSeconds, estimate.uncertainty * input.deploy.validationSamples]),
    source: input.deploy.estimateCost.basis.source,
  };
  basis.push(`deploy: ${input.deploy.estimateCost.basis.note}`);

  const queue = predictQueue(input, train);
  basis.push(queue.note);

  const steps = {
    queue: queue.prediction,
    stageIn,
    ...(label === undefined ? {} : { label }),
    train,
    stageOut,
    deploy,
  };
  const parts = [steps.queue, stageIn, label, train, stageOut, deploy].filter((s): s is StepPrediction => s !== undefined);
  return {
    trainerId: input.trainerId,
    trainerName: input.trainerName,
    steps,
    totalSeconds: parts.reduce((sum, s) => sum + s.seconds, 0),
    plusMinusSeconds: quadratureSum(parts.map((s) => s.plusMinusSeconds)),
    basis,
  };
}

/**
 * Queue wait = the trainer's usual wait (history median) plus, when every slot is taken, a backlog of
 * (runs ahead − slots + 1) / slots runs, each assumed to hold a slot as long as this run's training.
 */
function predictQueue(input: TrainerPredictionInput, train: DurationEstimate): { prediction: StepPrediction; note: string } {
  const history = input.queueWait.seconds;
  const slots = Math.max(1, Math.floor(input.concurrency));
  const ahead = Math.max(0, Math.floor(input.queueDepth));
  const waves = Math.max(0, ahead - slots + 1) / slots;
  const backlog = waves * train.seconds;
  const backlogUncertainty = quadratureSum([waves * train.plusMinusSeconds, backlog * BACKLOG_RELATIVE_UNCERTAINTY]);
  const note =
    waves === 0
      ? `queue: a slot is free (${ahead} of ${slots} in use); ${input.queueWait.basis.note}`
      : `queue: ${ahead} runs ahead on ${slots} slot${slots === 1 ? "" : "s"}, each assumed as long as this training; ${input.queueWait.basis.note}`;
  return {
    prediction: {
      seconds: history.value + backlog,
      plusMinusSeconds: quadratureSum([history.uncertainty, backlogUncertainty]),
      source: input.queueWait.basis.source,
    },
    note,
  };
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
