// Predicted turnaround on every trainer for one launch choice: what the Retrain dialog shows (fetched from
// /api/predictions as the scientist edits) and, through the same function with the same inputs, what the
// launch stores on the run.
import "server-only";
import { z } from "zod";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/permissions";
import { predictLaunch } from "@/lib/cost-model/launch-prediction";
import { recommendFastest, type TurnaroundPrediction } from "@/lib/cost-model/predict";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import { getPredictionModel, type TrainerSummary } from "@/lib/server/predictions/get-prediction-model";

export const launchPredictionRequest = z.object({
  experimentId: z.string().min(1),
  datasetId: z.string().min(1, "Choose a dataset."),
  epochs: z.coerce.number().int("Epochs is a whole number.").min(1, "At least one epoch.").max(5000, "At most 5000 epochs."),
  batchSize: z.coerce.number().int().min(1, "Batch size is at least 1.").max(8192, "Batch size is at most 8192."),
  maxSamples: z
    .union([z.literal(""), z.literal("null"), z.coerce.number().int().positive("Max samples must be positive.")])
    .nullish()
    .transform((v) => (typeof v === "number" ? v : null)),
});
export type LaunchPredictionRequest = z.output<typeof launchPredictionRequest>;

export interface TrainerPrediction {
  trainer: TrainerSummary;
  prediction: TurnaroundPrediction | null;
}

export interface LaunchPredictions {
  trainers: TrainerPrediction[];
  recommendedTrainerId: string | null;
}

export async function predictLaunches({ actor, request }: { actor: Actor; request: LaunchPredictionRequest }): Promise<LaunchPredictions> {
  const dataset = await prisma.dataset.findFirst({
    where: { id: request.datasetId, experimentId: request.experimentId, experiment: visibleExperimentsWhere(actor) },
  });
  if (!dataset) throw new AppError("INVALID_INPUT", "That dataset is not in this experiment.", { datasetId: ["Not in this experiment."] });
  const [model, inService] = await Promise.all([
    getPredictionModel({ edgeHostIds: [dataset.edgeHostId] }),
    prisma.deployment.findFirst({
      where: { active: true, edgeHostId: dataset.edgeHostId, experimentId: dataset.experimentId, family: { key: dataset.familyKey } },
      select: { id: true },
    }),
  ]);
  const choice = {
    modelInService: inService !== null,
    dataset: {
      familyKey: dataset.familyKey,
      kind: dataset.kind,
      bytes: Number(dataset.bytes),
      sampleCount: dataset.sampleCount,
      edgeHostId: dataset.edgeHostId,
    },
    epochs: request.epochs,
    batchSize: request.batchSize,
    maxSamples: request.maxSamples,
  };
  const trainers = model.trainers.map(({ summary, model: trainer }) => ({
    trainer: summary,
    prediction: predictLaunch(trainer, model.edges[dataset.edgeHostId], model.overhead, model.modelBytes[dataset.familyKey] ?? 1e6, choice),
  }));
  // A trainer whose training time rests on evidence (calibration or runs) is not out-ranked by one that
  // has only the paper's optimistic figures.
  const candidates = trainers.flatMap((t) => (t.prediction ? [t.prediction] : []));
  const evidenced = candidates.filter((p) => p.steps.train.source !== "paper");
  const recommended = recommendFastest(evidenced.length ? evidenced : candidates);
  return { trainers, recommendedTrainerId: recommended?.trainerId ?? null };
}
