// Where a retrain starts (issue 13.3): the parent, epochs and batch size the Retrain dialog pre-fills for a dataset.
import type { EpochsPrediction } from "@/lib/drift/epochs";
import { rankParents, type ParentCandidate, type RankedParent } from "@/lib/drift/ranking";

/** What the dialog knows of the family's earlier versions: candidates, their spot-check errors, predicted epochs. */
export interface ReuseEvidence {
  candidates: (ParentCandidate & { familyKey: string })[];
  errors: { versionId: string; datasetId: string; value: number }[];
  epochs: Record<string, EpochsPrediction>;
}

export interface StartDataset {
  id: string;
  familyKey: string;
  sampleCount: number;
}

export interface HyperDefaults {
  epochs: number;
  batchSize: number;
}

/** The family's earlier versions ranked for `dataset` by their measured error on it (lib/drift/ranking.ts). */
export function rankingFor(reuse: ReuseEvidence, dataset: StartDataset | undefined): RankedParent[] {
  if (!dataset) return [];
  const errors = new Map(reuse.errors.filter((e) => e.datasetId === dataset.id).map((e) => [e.versionId, e.value]));
  return rankParents(
    reuse.candidates.filter((c) => c.familyKey === dataset.familyKey),
    errors,
  );
}

// Share of a dataset the zoo trains on (it holds out 20 % for validation).
const TRAIN_SHARE = 0.8;
/**
 * A fine-tune on a small new scan must take enough optimiser steps per epoch: at the family's batch of 256 a
 * 600-peak drifted scan is one step an epoch, and 4 such steps made the demo's model worse (1.25 px from 0.65),
 * while batch 32 (15 steps) brought it to 0.31 px in the same 4 epochs (zoo train --parent, measured here).
 */
export const MIN_STEPS_PER_EPOCH = 12;
const MIN_BATCH = 16;

/** The family's batch size, halved until an epoch of the dataset holds MIN_STEPS_PER_EPOCH steps (not below 16). */
export function fineTuneBatchSize(samples: number, defaultBatch: number): number {
  const trained = Math.floor(samples * TRAIN_SHARE);
  let batch = defaultBatch;
  while (batch > MIN_BATCH && trained / batch < MIN_STEPS_PER_EPOCH) batch = Math.max(MIN_BATCH, Math.floor(batch / 2));
  return batch;
}

/**
 * Where a retrain on `dataset` starts: the chosen parent (`parentId`; null: the best-ranked one, "" from scratch);
 * from a parent, the family's predicted fine-tune epochs and a batch small enough for the dataset; from scratch,
 * the family's defaults.
 */
export function recommendedStart(
  reuse: ReuseEvidence,
  dataset: StartDataset | undefined,
  defaults: HyperDefaults,
  parentId: string | null = null,
) {
  const parentVersionId = parentId ?? rankingFor(reuse, dataset)[0]?.id ?? "";
  const predicted = dataset ? reuse.epochs[dataset.familyKey] : undefined;
  if (!parentVersionId || !dataset) return { parentVersionId, epochs: defaults.epochs, batchSize: defaults.batchSize };
  return {
    parentVersionId,
    epochs: predicted?.epochs ?? defaults.epochs,
    batchSize: fineTuneBatchSize(dataset.sampleCount, defaults.batchSize),
  };
}
