// Data behind the prediction-error page: the last N succeeded runs that carry a prediction (Run.predicted,
// stored at launch), with predicted versus actual per step and in total, summarised overall and per trainer.
import "server-only";
import { prisma } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/permissions";
import {
  predictionError,
  summarizePredictionErrors,
  type PredictionError,
  type ErrorSummary,
  type PredictionErrorSummary,
  type TurnaroundPrediction,
} from "@/lib/cost-model/predict";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import { actualTurnaround, parseStoredPrediction } from "@/lib/turnaround/prediction-errors";
import type { PredictionParams } from "@/lib/turnaround/params";

/** How many of the newest runs per (trainer, family) the "recent" figures cover: is the model improving? */
export const RECENT_RUNS = 10;

export interface ComparedRun {
  id: string;
  number: number;
  experimentName: string;
  familyName: string;
  trainerId: string;
  trainerName: string;
  endedAt: Date;
  prediction: TurnaroundPrediction;
  error: PredictionError;
}

export interface PredictionErrorData {
  runs: ComparedRun[];
  /** Succeeded runs whose stored prediction could not be read (left out). */
  unreadable: number;
  overall: PredictionErrorSummary;
  perTrainer: Array<{ trainerId: string; trainerName: string; summary: PredictionErrorSummary }>;
  /** Per (trainer, family): over all compared runs and over the newest RECENT_RUNS of them. */
  perTrainerFamily: Array<{ key: string; trainerName: string; familyName: string; all: ErrorSummary; recent: ErrorSummary }>;
  trainers: Array<{ id: string; name: string }>;
}

export async function getPredictionErrors({ actor, params }: { actor: Actor; params: PredictionParams }): Promise<PredictionErrorData> {
  const [rows, trainers] = await Promise.all([
    prisma.run.findMany({
      where: {
        status: "succeeded",
        predicted: { not: Prisma.AnyNull },
        experiment: visibleExperimentsWhere(actor),
        ...(params.trainer && { trainerId: params.trainer }),
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: params.last,
      select: {
        id: true,
        number: true,
        predicted: true,
        createdAt: true,
        endedAt: true,
        endToEndSeconds: true,
        queueSeconds: true,
        experiment: { select: { name: true } },
        family: { select: { name: true } },
        trainer: { select: { id: true, name: true } },
        steps: { select: { name: true, seconds: true } },
      },
    }),
    prisma.trainer.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
  ]);

  const runs: ComparedRun[] = [];
  let unreadable = 0;
  for (const row of rows) {
    const prediction = parseStoredPrediction(row.predicted, row.trainer);
    const actual = actualTurnaround(row);
    if (!prediction || !actual) {
      unreadable += 1;
      continue;
    }
    runs.push({
      id: row.id,
      number: row.number,
      experimentName: row.experiment.name,
      familyName: row.family.name,
      trainerId: row.trainer.id,
      trainerName: row.trainer.name,
      endedAt: row.endedAt ?? row.createdAt,
      prediction,
      error: predictionError(prediction, actual),
    });
  }
  const byTrainer = new Map<string, { trainerName: string; errors: PredictionError[] }>();
  for (const run of runs) {
    const group = byTrainer.get(run.trainerId) ?? { trainerName: run.trainerName, errors: [] };
    group.errors.push(run.error);
    byTrainer.set(run.trainerId, group);
  }
  const byPair = new Map<string, ComparedRun[]>();
  for (const run of runs) {
    const key = `${run.trainerName} · ${run.familyName}`;
    byPair.set(key, [...(byPair.get(key) ?? []), run]);
  }
  return {
    runs,
    unreadable,
    perTrainerFamily: [...byPair.entries()]
      .map(([key, group]) => ({
        key,
        trainerName: group[0].trainerName,
        familyName: group[0].familyName,
        all: summarizePredictionErrors(group.map((r) => r.error)).total,
        // runs are newest first
        recent: summarizePredictionErrors(group.slice(0, RECENT_RUNS).map((r) => r.error)).total,
      }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    overall: summarizePredictionErrors(runs.map((r) => r.error)),
    perTrainer: [...byTrainer.entries()]
      .map(([trainerId, g]) => ({ trainerId, trainerName: g.trainerName, summary: summarizePredictionErrors(g.errors) }))
      .sort((a, b) => a.trainerName.localeCompare(b.trainerName)),
    trainers,
  };
}
