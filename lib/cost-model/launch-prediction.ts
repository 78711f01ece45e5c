// The prediction for one concrete launch (dataset, trainer, epochs, batch size, max samples): each step's
// scaling model (lib/cost-model/scaling-model.ts) evaluated at this workload, the queue from what is ahead
// on the trainer, and the control overhead. Pure: the server computes it for the Retrain dialog and again,
// with the same function and inputs, to store on the run at launch.
import { PAPER_PARAMETERS, MICROSECONDS_PER_SECOND, PAPER_PHYSICAL_QUANTITIES } from "@/lib/cost-model/paper";
import { predictScaling, type EvidenceSource, type ScalingFit, type ScalingPrior } from "@/lib/cost-model/scaling-model";
import { quadratureSum } from "@/lib/cost-model/stats";
import type { StepPrediction, TurnaroundPrediction } from "@/lib/cost-model/predict";

/** The zoo's train command holds out this share of the samples for validation (zoo train --val-fraction). */
export const VALIDATION_FRACTION = 0.2;
/** The edge validates on at most this many samples of the dataset (deploy step), of which VALIDATION_FRACTION is held out. */
export const DEPLOY_MAX_SAMPLES = 4096;

// ---------------------------------------------------------------------------------------------------------
// Calibrations (what agents measured, lib/calibration)

export interface TrainerCalibration {
  family: string;
  /** Submit → model built: job start (Slurm), Python start, torch import, model build. */
  startupSeconds: number;
  /** Training seconds per sample at batchSize (step time ÷ batch). */
  trainSecondsPerSample: number;
  /** Of each step's time, the part that does not grow with the batch; null when the calibration did not separate it. */
  stepSeconds: number | null;
  valSecondsPerSample: number;
  batchSize: number;
  at: string;
}

export interface EdgeCalibration {
  family: string;
  startupSeconds: number;
  valSecondsPerSample: number;
  at: string;
}

const day = (iso: string) => iso.slice(0, 16).replace("T", " ");

// Without any calibration: the paper's local-GPU Table 1 figure (BraggNN 1102 s for 55 548 patches × 500
// epochs) per sample·epoch; CookieNetAE's 128×128 input costs ~100× a BraggNN 11×11 patch per sample on
// the same hardware (ratio of our own calibrations on CPU). Start-up 5 s (a Python + torch process).
// Honest width: the hardware is unknown, so the scatter is 100 % (a factor of two either way is typical).
const UNCALIBRATED_TRAIN_SECONDS_PER_SAMPLE: Record<string, number> = {
  braggnn: 1102 / (55_548 * 500),
  cookienetae: (100 * 1102) / (55_548 * 500),
};
const UNCALIBRATED_STARTUP_SECONDS = 5;
const UNCALIBRATED_SCATTER = 1.0;
// A calibration takes seconds on small in-memory data: real runs also read the dataset, save checkpoints
// and report every epoch, so its numbers are good to about 30 % (1σ) for a first run.
const CALIBRATED_SCATTER = 0.3;
/** Each epoch reshuffles, validates and reports: a fixed cost per epoch with a loose prior. */
const PER_EPOCH_PRIOR = { mean: 0.05, sd: 0.5 };

export const TRAIN_FEATURES = [
  "start-up",
  "per epoch",
  "per training sample·epoch",
  "per validation sample·epoch",
  "per batch step",
] as const;

export interface TrainWorkload {
  epochs: number;
  samples: number;
  batchSize: number;
}

/** The zoo's sequential split (zoo data.sequential_split): the first ⌊(1 − fraction)·n⌋ samples train. */
export function splitSamples(samples: number): { train: number; validation: number } {
  // Rounded to 9 digits first, as the zoo does, so 0.8 × 5 is 4 and not 3.9999….
  const train = Math.floor(Math.round((1 - VALIDATION_FRACTION) * samples * 1e9) / 1e9);
  return { train, validation: samples - train };
}

/**
 * What one epoch of the zoo's trainer actually runs (zoo train.Trainer): the batch is capped at the training
 * samples and the last partial batch is dropped, so 51 samples at batch 32 train 32 samples in one step.
 */
export function epochBatches(trainSamples: number, batchSize: number): { batch: number; steps: number } {
  const batch = Math.max(1, Math.min(Math.floor(batchSize), trainSamples));
  return { batch, steps: Math.max(1, Math.floor(trainSamples / batch)) };
}

export function trainFeatures({ epochs, samples, batchSize }: TrainWorkload): number[] {
  const { train, validation } = splitSamples(samples);
  const { batch, steps } = epochBatches(train, batchSize);
  return [1, epochs, epochs * steps * batch, epochs * validation, epochs * steps];
}

/**
 * A calibrated step at batch B took B × trainSecondsPerSample = stepSeconds + B × per sample: the per-sample
 * part is what is left after the fixed part (all of it when the calibration measured one batch size only).
 */
export function splitCalibratedStep(c: Pick<TrainerCalibration, "trainSecondsPerSample" | "stepSeconds" | "batchSize">): {
  perSample: number;
  perStep: number;
} {
  const step = c.trainSecondsPerSample * c.batchSize;
  const perStep = Math.min(Math.max(0, c.stepSeconds ?? 0), step);
  return { perSample: (step - perStep) / c.batchSize, perStep };
}

export function trainPrior(family: string, calibration: TrainerCalibration | null): ScalingPrior {
  if (!calibration) {
    const perSample = UNCALIBRATED_TRAIN_SECONDS_PER_SAMPLE[family] ?? UNCALIBRATED_TRAIN_SECONDS_PER_SAMPLE.braggnn;
    return {
      coefficients: [
        { mean: UNCALIBRATED_STARTUP_SECONDS, sd: UNCALIBRATED_STARTUP_SECONDS },
        PER_EPOCH_PRIOR,
        { mean: perSample, sd: perSample },
        { mean: perSample / 3, sd: perSample / 3 },
        { mean: 0, sd: perSample * 64 },
      ],
      relativeScatter: UNCALIBRATED_SCATTER,
      source: "paper",
      note: "the paper's local-GPU training rate (Table 1) and a 5 s start-up: this trainer is not calibrated yet",
    };
  }
  const c = calibration;
  const { perSample, perStep } = splitCalibratedStep(c);
  return {
    coefficients: [
      { mean: c.startupSeconds, sd: c.startupSeconds * CALIBRATED_SCATTER },
      PER_EPOCH_PRIOR,
      { mean: perSample, sd: perSample * CALIBRATED_SCATTER },
      { mean: c.valSecondsPerSample, sd: c.valSecondsPerSample * CALIBRATED_SCATTER },
      // Per-step cost beyond per-sample cost (optimiser, Python, small batches); loosely bounded when unmeasured.
      {
        mean: perStep,
        sd: Math.max(perStep * CALIBRATED_SCATTER, c.trainSecondsPerSample * c.batchSize * (c.stepSeconds === null ? 0.25 : 0.1)),
      },
    ],
    relativeScatter: CALIBRATED_SCATTER,
    source: "calibration",
    note: `the calibration of ${day(c.at)} (start-up ${c.startupSeconds.toFixed(1)} s, ${Math.round(1 / c.trainSecondsPerSample)} training samples/s)`,
  };
}

export const DEPLOY_FEATURES = [
  "start-up (validate + export)",
  "per validation sample",
  "fixed cost of the in-service model's evaluation",
  "per sample the in-service model evaluates",
] as const;

/**
 * With a model in service, the deploy gate evaluates it too, in the same zoo process, on the same samples
 * (lib/flow/steps/deploy.ts, the zoo's deploy command): the last two features are zero on a host with nothing in service.
 */
export function deployFeatures(validationSamples: number, comparesInService: boolean): number[] {
  const compared = comparesInService ? 1 : 0;
  return [1, validationSamples, compared, compared * validationSamples];
}

/** The held-out samples the edge validates on for a dataset of this size. */
export function deployValidationSamples(datasetSamples: number): number {
  return splitSamples(Math.min(datasetSamples, DEPLOY_MAX_SAMPLES)).validation;
}

// Deploy is one zoo process on the edge (the zoo's deploy command: evaluate, compare, export): the edge's start-up,
// plus the export itself, which no calibration measures (TorchScript + ONNX, about a second on a CPU).
const EXPORT_SECONDS = 1;
// Loading the in-service checkpoint and the held-out samples once more, in the process already running: a guess
// (a tenth of a second or so for these models), held loosely so that measured deploys set it.
const COMPARISON_FIXED_SECONDS = 0.2;
/**
 * Seconds: the least 1σ of a deploy prior's fixed costs. A start-up calibrated on a warm zoo process can be a
 * fraction of a second; a prior that tight held the fit about 0.4 s under the measured deploys (bench step 5).
 */
const MIN_DEPLOY_STARTUP_SD = 0.5;

export function deployPrior(calibration: EdgeCalibration | null): ScalingPrior {
  if (!calibration) {
    const perSample = PAPER_PARAMETERS.estimateMicrosecondsPerDatum / MICROSECONDS_PER_SECOND;
    const startup = UNCALIBRATED_STARTUP_SECONDS + EXPORT_SECONDS;
    return {
      coefficients: [
        { mean: startup, sd: startup },
        { mean: perSample, sd: perSample * 10 },
        { mean: COMPARISON_FIXED_SECONDS, sd: UNCALIBRATED_STARTUP_SECONDS },
        { mean: perSample, sd: perSample * 10 },
      ],
      relativeScatter: UNCALIBRATED_SCATTER,
      source: "paper",
      note: "the paper's C(E) = 0.35 µs and 5 s of process start-up: the edge host is not calibrated yet",
    };
  }
  const startup = calibration.startupSeconds + EXPORT_SECONDS;
  const perSample = { mean: calibration.valSecondsPerSample, sd: calibration.valSecondsPerSample * CALIBRATED_SCATTER };
  return {
    coefficients: [
      // The export is a guess, not a measurement: never held tighter than half a second against measured deploys.
      { mean: startup, sd: Math.max(startup * 0.4, MIN_DEPLOY_STARTUP_SD) },
      perSample,
      // Up to another start-up's worth, were the checkpoint or the samples slow to load: held loosely.
      { mean: COMPARISON_FIXED_SECONDS, sd: Math.max(calibration.startupSeconds, MIN_DEPLOY_STARTUP_SD) },
      perSample,
    ],
    relativeScatter: 0.4,
    source: "calibration",
    note: `the edge calibration of ${day(calibration.at)} (start-up ${calibration.startupSeconds.toFixed(1)} s, C(E) ${(calibration.valSecondsPerSample * 1e6).toFixed(1)} µs)`,
  };
}

export const LABEL_FEATURES = ["start-up", "per datum"] as const;

export function labelPrior(secondsPerDatum: { value: number; source: EvidenceSource }, startupSeconds: number | null): ScalingPrior {
  const startup = startupSeconds ?? UNCALIBRATED_STARTUP_SECONDS;
  return {
    coefficients: [
      { mean: startup, sd: startup * 0.5 },
      { mean: secondsPerDatum.value, sd: secondsPerDatum.value * 0.5 },
    ],
    relativeScatter: secondsPerDatum.source === "paper" ? UNCALIBRATED_SCATTER : 0.4,
    source: secondsPerDatum.source === "runs" || startupSeconds !== null ? "calibration" : "paper",
    note:
      secondsPerDatum.source === "paper"
        ? "the paper's C(A) = 2.44 µs per datum"
        : `C(A) = ${(secondsPerDatum.value * 1e3).toFixed(2)} ms per datum measured by earlier labelling`,
  };
}

export const TRANSFER_FEATURES = ["start-up S", "per byte (1/v)", "per file"] as const;

/** How the transfers behind a route's fit were made: "over 6 data-plane probe transfers", "over 9 recorded transfers (6 of them probes)". */
export function transferEvidence(measured: number, probes: number): string {
  if (probes === 0) return `${measured} recorded transfers`;
  if (probes >= measured) return `${measured} data-plane probe transfers`;
  return `${measured} recorded transfers (${probes} of them probes)`;
}

export function transferPrior(
  fit: { startupSeconds: number; bytesPerSecond: number; measured: number; probes: number } | null,
): ScalingPrior {
  const rate = fit?.bytesPerSecond ?? PAPER_PHYSICAL_QUANTITIES.wideAreaBytesPerSecond;
  // A step also issues and verifies its ticket and hashes the file: a small fixed cost even with S = 0.
  const startup = Math.max(fit?.startupSeconds ?? 0, 0.05);
  return {
    coefficients: [
      { mean: startup, sd: Math.max(startup, 0.2) },
      { mean: 1 / rate, sd: fit ? 0.5 / rate : 2 / rate },
      { mean: 0.01, sd: 0.05 },
    ],
    relativeScatter: fit ? 0.5 : UNCALIBRATED_SCATTER,
    source: fit ? "calibration" : "paper",
    note: fit ? `T = x/v + S over ${transferEvidence(fit.measured, fit.probes)}` : "the paper's 1 GB/s with no transfer recorded yet",
  };
}

export function transferFeatures(bytes: number, files: number): number[] {
  return [1, bytes, files];
}

// Queue (free slot) and control overhead are small fixed costs; the design's target bounds the overhead.
export const FIXED_FEATURES = ["fixed"] as const;
export const OVERHEAD_PRIOR: ScalingPrior = {
  coefficients: [{ mean: 0.5, sd: 0.5 }],
  relativeScatter: 1,
  source: "paper",
  note: "the design's control-overhead target of 0.5 s",
};
export const QUEUE_PRIOR: ScalingPrior = {
  coefficients: [{ mean: 0.05, sd: 0.1 }],
  relativeScatter: 1,
  source: "paper",
  note: "an idle dispatch of about 50 ms",
};

// ---------------------------------------------------------------------------------------------------------
// Queue: what is ahead on the trainer

export interface RunAhead {
  status: "queued" | "running";
  /** Seconds of trainer slot it still needs (its prediction's slot-holding steps minus elapsed time). */
  remainingSeconds: number;
}

/**
 * When a slot frees up for a new run: running runs hold their slots for their remaining time, queued runs
 * (in order) take the earliest free slot for their predicted time. Zero when a slot is free now.
 */
export function backlogSeconds(ahead: readonly RunAhead[], concurrency: number): number {
  const slots = new Array<number>(Math.max(1, Math.floor(concurrency))).fill(0);
  const earliest = () => slots.indexOf(Math.min(...slots));
  for (const run of ahead.filter((r) => r.status === "running")) slots[earliest()] += Math.max(0, run.remainingSeconds);
  for (const run of ahead.filter((r) => r.status === "queued")) slots[earliest()] += Math.max(0, run.remainingSeconds);
  return Math.min(...slots);
}

// ---------------------------------------------------------------------------------------------------------
// The prediction

export interface TrainerModel {
  trainerId: string;
  trainerName: string;
  concurrency: number;
  ahead: RunAhead[];
  /** Slurm trainers: the scheduler's own start estimate for a job of the trainer's shape, when fresh. */
  schedulerStart?: { seconds: number; at: string } | null;
  queue: ScalingFit;
  /** Per family key. */
  training: Record<string, ScalingFit>;
  label: Record<string, ScalingFit>;
  /** Per edge host id. */
  stageIn: Record<string, ScalingFit>;
  stageOut: Record<string, ScalingFit>;
}

export interface EdgeModel {
  /** Per family key. */
  deploy: Record<string, ScalingFit>;
}

export interface LaunchChoice {
  dataset: { familyKey: string; kind: string; bytes: number; sampleCount: number; edgeHostId: string };
  /** A model of the family is in service for the experiment on the edge host: the deploy gate compares with it. */
  modelInService: boolean;
  epochs: number;
  batchSize: number;
  maxSamples: number | null;
}

/** Relative 1σ of a backlog estimate: the runs ahead are themselves predictions. */
const BACKLOG_SCATTER = 0.5;

function step(fit: ScalingFit, features: number[]): StepPrediction & { note: string } {
  return { ...predictScaling(fit, features), source: fit.source, note: fit.note };
}

export function predictLaunch(
  trainer: TrainerModel,
  edge: EdgeModel | undefined,
  overhead: ScalingFit,
  modelBytes: number,
  choice: LaunchChoice,
): TurnaroundPrediction | null {
  const family = choice.dataset.familyKey;
  const training = trainer.training[family];
  const stageInFit = trainer.stageIn[choice.dataset.edgeHostId];
  const stageOutFit = trainer.stageOut[choice.dataset.edgeHostId];
  const deployFit = edge?.deploy[family];
  if (!training || !stageInFit || !stageOutFit || !deployFit) return null;
  const samples = Math.min(choice.dataset.sampleCount, choice.maxSamples ?? Infinity);

  const stageIn = step(stageInFit, transferFeatures(choice.dataset.bytes, 1));
  const labelFit = trainer.label[family];
  const label = choice.dataset.kind === "raw" && labelFit ? step(labelFit, [1, choice.dataset.sampleCount]) : undefined;
  const train = step(training, trainFeatures({ epochs: choice.epochs, samples, batchSize: choice.batchSize }));
  const stageOut = step(stageOutFit, transferFeatures(modelBytes, 1));
  const deploy = step(deployFit, deployFeatures(deployValidationSamples(choice.dataset.sampleCount), choice.modelInService));

  const idle = predictScaling(trainer.queue, [1]);
  const ahead = backlogSeconds(trainer.ahead, trainer.concurrency);
  // The scheduler sees other users' jobs, which the runs ahead do not: the later of the two starts the run.
  const scheduler = trainer.schedulerStart ?? null;
  const bySlurm = scheduler !== null && scheduler.seconds > ahead;
  const backlog = bySlurm ? scheduler.seconds : ahead;
  const queue: StepPrediction = {
    seconds: idle.seconds + backlog,
    plusMinusSeconds: quadratureSum([idle.plusMinusSeconds, 1.2816 * BACKLOG_SCATTER * backlog]),
    source: trainer.queue.source,
    note: bySlurm
      ? `Slurm's own start estimate (sbatch --test-only, ${day(scheduler.at)}): ${Math.round(scheduler.seconds)} s; ${trainer.queue.note}`
      : backlog > 0
        ? `${trainer.ahead.length} run(s) ahead on ${trainer.concurrency} slot(s), by their own predictions; ${trainer.queue.note}`
        : `a slot is free; ${trainer.queue.note}`,
  };
  const control = step(overhead, [1]);

  const steps = { queue, stageIn, ...(label ? { label } : {}), train, stageOut, deploy };
  const parts = [queue, stageIn, label, train, stageOut, deploy, control].filter((s): s is StepPrediction => s !== undefined);
  return {
    trainerId: trainer.trainerId,
    trainerName: trainer.trainerName,
    steps,
    overhead: control,
    totalSeconds: parts.reduce((sum, s) => sum + s.seconds, 0),
    // 80 % half-widths combine in quadrature like the 1σ they are multiples of (steps treated as independent).
    plusMinusSeconds: quadratureSum(parts.map((s) => s.plusMinusSeconds)),
    intervalPercent: 80,
    basis: [
      `queue: ${queue.note}`,
      `stage-in: ${stageIn.note}`,
      ...(label ? [`label: ${label.note}`] : []),
      `train: ${train.note}`,
      `stage-out: ${stageOut.note}`,
      `deploy: ${deploy.note}`,
      `control overhead: ${control.note}`,
    ],
  };
}
