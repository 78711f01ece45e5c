// How many epochs a retrain needs (issue 13.3), learnt from the family's past runs: for each succeeded run,
// whether it fine-tuned (it had a parent) or trained from scratch, and the epoch at which its validation
// error first went under its experiment's drift threshold. Both come from what every run records (its parent
// and its per-epoch RunMetric); they are read when predicting, so a changed threshold applies to the past too.

export interface RunOutcome {
  fineTuned: boolean;
  /** first epoch whose validation error was under the threshold; null when none was */
  reachedAt: number | null;
}

export interface EpochsPrediction {
  epochs: number;
  source: "fine-tunes" | "from-scratch" | "prior";
  basis: string;
}

/**
 * The share of from-scratch epochs a fine-tune is given while only from-scratch runs are known. fairDMS (2022)
 * reports fine-tuning from the closest earlier model converging many times faster than training afresh; a half is
 * a deliberately cautious guess until this family's own fine-tunes say otherwise.
 */
export const FINE_TUNE_SHARE_PRIOR = 0.5;

/**
 * Past fine-tunes are stopped-at-threshold evidence: a retrain given exactly the epochs at which they first went
 * under the threshold ends at its edge, where the next spot check's sampling noise (about 0.03 px at 5 % of a
 * 600-peak scan) flips the alert back on. Half as many epochs again keeps a margin; epochs are seconds here.
 */
export const FINE_TUNE_MARGIN = 1.5;

/** First epoch (1-based, as reported) whose error is under `threshold`; epochs without the metric are skipped. */
export function epochsToThreshold(perEpoch: { epoch: number; error: number | null }[], threshold: number): number | null {
  const sorted = [...perEpoch].sort((a, b) => a.epoch - b.epoch);
  return sorted.find((e) => e.error !== null && Number.isFinite(e.error) && e.error < threshold)?.epoch ?? null;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Epochs for a fine-tune: the margin times the median epoch-to-threshold of the family's past fine-tunes that reached
 * it; without any, the prior share of the from-scratch median; without either, the family's default epochs.
 */
export function predictFineTuneEpochs(outcomes: RunOutcome[], defaultEpochs: number): EpochsPrediction {
  const reached = (fineTuned: boolean) =>
    outcomes.filter((o) => o.fineTuned === fineTuned && o.reachedAt !== null).map((o) => o.reachedAt!);
  const fineTunes = reached(true);
  if (fineTunes.length > 0) {
    return {
      epochs: Math.max(1, Math.ceil(FINE_TUNE_MARGIN * median(fineTunes))),
      source: "fine-tunes",
      basis: `1.5 × the median of ${fineTunes.length} past fine-tune${fineTunes.length > 1 ? "s" : ""} to reach the threshold`,
    };
  }
  const scratch = reached(false);
  if (scratch.length > 0) {
    const m = median(scratch);
    return {
      epochs: Math.max(1, Math.ceil(FINE_TUNE_SHARE_PRIOR * m)),
      source: "from-scratch",
      basis: `no fine-tune has reached the threshold yet: half the median of ${scratch.length} from-scratch run${scratch.length > 1 ? "s" : ""} (${m} epochs)`,
    };
  }
  // No evidence at all: the family's default epochs. On a new scan at a fine-tune's batch they take seconds, while
  // too few cost a whole second retrain (the demo's drifted scan: 4 epochs 0.31 px, 8 epochs 0.26 px, threshold 0.35).
  return {
    epochs: Math.max(1, defaultEpochs),
    source: "prior",
    basis: `no run has reached the threshold yet: the family's default ${defaultEpochs} epochs`,
  };
}
