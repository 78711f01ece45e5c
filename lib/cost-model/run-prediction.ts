// Turns the fitted inputs of one trainer into the prediction for a concrete launch (dataset, epochs).
// Pure, so the Retrain dialog recomputes it as the scientist edits, and the server stores the same.
import { predictTurnaround, type TurnaroundPrediction } from "@/lib/cost-model/predict";
import type { PredictionInputs, TrainerInputs } from "@/lib/server/predictions/get-prediction-inputs";

export interface LaunchChoice {
  dataset: { familyKey: string; kind: string; bytes: number; sampleCount: number; edgeHostId: string };
  epochs: number;
  maxSamples: number | null;
}

// The edge validates on up to this many held-out samples (agent deploy task).
export const VALIDATION_SAMPLES = 4096;

export function predictLaunch(trainer: TrainerInputs, inputs: PredictionInputs, choice: LaunchChoice): TurnaroundPrediction | null {
  const route = trainer.routes[choice.dataset.edgeHostId];
  const training = trainer.training[choice.dataset.familyKey];
  if (!route || !training) return null;
  const samples = Math.min(choice.dataset.sampleCount, choice.maxSamples ?? Infinity);
  return predictTurnaround({
    trainerId: trainer.trainerId,
    trainerName: trainer.trainerName,
    queueWait: trainer.queueWait,
    queueDepth: trainer.queueDepth,
    concurrency: trainer.concurrency,
    stageIn: route.stageIn,
    stageOut: route.stageOut,
    training,
    dataset: { bytes: choice.dataset.bytes, files: 1, samples },
    epochs: choice.epochs,
    modelBytes: inputs.modelBytes[choice.dataset.familyKey] ?? 1_000_000,
    label:
      choice.dataset.kind === "raw"
        ? { analysisCost: inputs.analysisCost[choice.dataset.familyKey], unlabelledSamples: samples }
        : undefined,
    deploy: { estimateCost: route.estimateCost[choice.dataset.familyKey], validationSamples: Math.min(VALIDATION_SAMPLES, samples) },
  });
}
