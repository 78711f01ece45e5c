// The paper's analytical model (Liu et al., §4, eqs. 1–5, Fig. 4): conventional analysis at the data
// center versus labelling a fraction p, training a surrogate and estimating the rest at the edge.
// All costs here are in microseconds, as in the paper; the curve generator converts to seconds.

export const MICROSECONDS_PER_SECOND = 1e6;

/** Per-datum and fixed costs of eqs. 4 and 5. */
export interface CostModelParameters {
  /** C(ex→dc): moving one raw datum from the experiment to the data center, µs. */
  transferInMicrosecondsPerDatum: number;
  /** C(A_dc): conventional analysis (e.g. pseudo-Voigt fitting) of one datum at the data center, µs. */
  analysisMicrosecondsPerDatum: number;
  /** C(dc→ex) for the analysis result of one datum (8 bytes for a peak position), µs. */
  resultReturnMicrosecondsPerDatum: number;
  /** C(E): estimating one datum with the trained model at the edge, µs. */
  estimateMicrosecondsPerDatum: number;
  /** C(T): training the model once, µs. */
  trainingMicroseconds: number;
  /** C(dc→ex) for the trained model, µs. */
  modelTransferMicroseconds: number;
  /** p: fraction of the data labelled conventionally to train on, 0 < p ≤ 1. */
  labelledFraction: number;
}

/** The physical quantities the paper states, from which every per-datum cost is derived. */
export const PAPER_PHYSICAL_QUANTITIES = {
  /** BraggNN input: one 11 × 11 patch at 16 bits per pixel. */
  patchWidthPixels: 11,
  patchHeightPixels: 11,
  bitsPerPixel: 16,
  /** "we conservatively assume that we can get 1 GB/s". */
  wideAreaBytesPerSecond: 1e9,
  /** "A takes about 2000 core×seconds for 800 000 peaks" on "a CPU cluster with 1024 usable cores". */
  analysisCoreSeconds: 2000,
  analysisPeaks: 800_000,
  clusterCores: 1024,
  /** "E with BraggNN can process 800 000 peaks in 280 ms (batch processing)". */
  estimateSeconds: 0.28,
  estimatePeaks: 800_000,
  /** "each datum leads to 8 bytes" of labels sent back. */
  resultBytesPerDatum: 8,
  /** "the trained BraggNN model (3 MB …)". */
  modelBytes: 3e6,
  /** "BraggNN can be trained in as little as 19 seconds when using the Cerebras system". */
  trainingSeconds: 19,
  /** "say p = 10%". */
  labelledFraction: 0.1,
} as const;

/** The rounded values the paper prints and uses in eqs. 4 and 5 (µs). */
export const PAPER_PARAMETERS: CostModelParameters = {
  transferInMicrosecondsPerDatum: 0.24,
  analysisMicrosecondsPerDatum: 2.44,
  resultReturnMicrosecondsPerDatum: 8e-3,
  estimateMicrosecondsPerDatum: 0.35,
  trainingMicroseconds: 19e6,
  modelTransferMicroseconds: 3000,
  labelledFraction: 0.1,
};

/**
 * Table 1 of the paper (seconds): end-to-end time breakdown per trainer. Used as a fallback reference
 * for training time when no run of a (family, trainer) pair has been recorded.
 */
export const PAPER_TABLE_ONE = [
  {
    family: "BraggNN",
    trainer: "Local (one GPU)",
    dataTransfer: 0,
    training: 1102,
    modelTransfer: 0,
    endToEnd: 1102,
  },
  {
    family: "BraggNN",
    trainer: "Remote (Cerebras, entire wafer)",
    dataTransfer: 7,
    training: 19,
    modelTransfer: 5,
    endToEnd: 31,
  },
  {
    family: "BraggNN",
    trainer: "Remote (SambaNova, 1 RDU)",
    dataTransfer: 7,
    training: 139,
    modelTransfer: 5,
    endToEnd: 151,
  },
  {
    family: "CookieNetAE",
    trainer: "Local (one GPU)",
    dataTransfer: 0,
    training: 517,
    modelTransfer: 0,
    endToEnd: 517,
  },
  {
    family: "CookieNetAE",
    trainer: "Remote (Cerebras, entire wafer)",
    dataTransfer: 5,
    training: 6,
    modelTransfer: 4,
    endToEnd: 15,
  },
  {
    family: "CookieNetAE",
    trainer: "Remote (multi-GPU server)",
    dataTransfer: 5,
    training: 88,
    modelTransfer: 4,
    endToEnd: 97,
  },
] as const;

/** Bytes of one image patch: width × height × bits / 8. */
export function patchBytes(widthPixels: number, heightPixels: number, bitsPerPixel: number): number {
  return (widthPixels * heightPixels * bitsPerPixel) / 8;
}

/** µs to move `bytes` at `bytesPerSecond` (the paper ignores the start-up S for per-datum costs). */
export function transferMicroseconds(bytes: number, bytesPerSecond: number): number {
  return (bytes / bytesPerSecond) * MICROSECONDS_PER_SECOND;
}

/**
 * Wall-clock µs per datum when `coreSeconds` of work for `data` items is spread over `cores` cores
 * (perfect parallelism, as the paper assumes).
 */
export function parallelComputeMicrosecondsPerDatum(coreSeconds: number, data: number, cores: number): number {
  return (coreSeconds / cores / data) * MICROSECONDS_PER_SECOND;
}

/** µs from seconds. */
export function microseconds(seconds: number): number {
  return seconds * MICROSECONDS_PER_SECOND;
}

/** µs per datum of a batch that processed `data` items in `seconds`. */
export function batchMicrosecondsPerDatum(seconds: number, data: number): number {
  return (seconds / data) * MICROSECONDS_PER_SECOND;
}

/**
 * The paper's parameters recomputed from its physical quantities, unrounded:
 * transfer 242 B / 1 GB/s = 0.242 µs (printed 0.24); A = 2000 / 1024 / 800 000 s = 2.441 µs (2.44);
 * E = 0.28 s / 800 000 = 0.35 µs; labels 8 B / 1 GB/s = 0.008 µs; model 3 MB / 1 GB/s = 3000 µs.
 */
export function derivePaperParameters(q = PAPER_PHYSICAL_QUANTITIES): CostModelParameters {
  const datumBytes = patchBytes(q.patchWidthPixels, q.patchHeightPixels, q.bitsPerPixel);
  return {
    transferInMicrosecondsPerDatum: transferMicroseconds(datumBytes, q.wideAreaBytesPerSecond),
    analysisMicrosecondsPerDatum: parallelComputeMicrosecondsPerDatum(q.analysisCoreSeconds, q.analysisPeaks, q.clusterCores),
    resultReturnMicrosecondsPerDatum: transferMicroseconds(q.resultBytesPerDatum, q.wideAreaBytesPerSecond),
    estimateMicrosecondsPerDatum: batchMicrosecondsPerDatum(q.estimateSeconds, q.estimatePeaks),
    trainingMicroseconds: q.trainingSeconds * MICROSECONDS_PER_SECOND,
    modelTransferMicroseconds: transferMicroseconds(q.modelBytes, q.wideAreaBytesPerSecond),
    labelledFraction: q.labelledFraction,
  };
}

/** µs per datum of the conventional path: move in, analyse, send the result back. */
export function conventionalMicrosecondsPerDatum(p: CostModelParameters): number {
  return p.transferInMicrosecondsPerDatum + p.analysisMicrosecondsPerDatum + p.resultReturnMicrosecondsPerDatum;
}

/** Eq. 4: f_c(N) = N·(C_in + C_A + C_result), µs. */
export function conventionalMicroseconds(n: number, p: CostModelParameters): number {
  return n * conventionalMicrosecondsPerDatum(p);
}

/** Fixed cost of the ML path: C(T) + C(model transfer), µs. */
export function surrogateFixedMicroseconds(p: CostModelParameters): number {
  return p.trainingMicroseconds + p.modelTransferMicroseconds;
}

/** Eq. 5: f_ml(N) = p·N·(C_in + C_A + C_result) + C(T) + C(model) + (1 − p)·N·C(E), µs. */
export function surrogateMicroseconds(n: number, p: CostModelParameters): number {
  return (
    p.labelledFraction * n * conventionalMicrosecondsPerDatum(p) +
    surrogateFixedMicroseconds(p) +
    (1 - p.labelledFraction) * n * p.estimateMicrosecondsPerDatum
  );
}

/**
 * N at which f_c(N) = f_ml(N). Both are linear in N, so
 *   f_c − f_ml = (1 − p)·(c − C(E))·N − F,   c = C_in + C_A + C_result, F = C(T) + C(model),
 * and N* = F / ((1 − p)·(c − C(E))). The ML path wins for every N > N*.
 * Returns null when the ML path never wins (estimating is not cheaper than the conventional path, or p = 1
 * with a positive fixed cost), and 0 when it always wins (no fixed cost).
 */
export function breakEvenN(p: CostModelParameters): number | null {
  const savingPerDatum = (1 - p.labelledFraction) * (conventionalMicrosecondsPerDatum(p) - p.estimateMicrosecondsPerDatum);
  const fixed = surrogateFixedMicroseconds(p);
  if (fixed <= 0) return savingPerDatum > 0 ? 0 : null;
  if (!(savingPerDatum > 0)) return null;
  return fixed / savingPerDatum;
}

export interface CostCurvePoint {
  n: number;
  conventionalSeconds: number;
  mlSeconds: number;
}

export interface CostCurveOptions {
  minN?: number;
  maxN?: number;
  pointsPerDecade?: number;
}

/** Log-spaced points of both curves (paper Fig. 4), N from 10³ to 10¹⁰ by default, in seconds. */
export function costCurve(p: CostModelParameters, options: CostCurveOptions = {}): CostCurvePoint[] {
  const { minN = 1e3, maxN = 1e10, pointsPerDecade = 10 } = options;
  if (!(minN > 0) || !(maxN >= minN) || !Number.isFinite(maxN) || !(pointsPerDecade > 0)) {
    throw new RangeError(`costCurve needs 0 < minN ≤ maxN and pointsPerDecade > 0 (got ${minN}, ${maxN}, ${pointsPerDecade})`);
  }
  const decades = Math.log10(maxN) - Math.log10(minN);
  const steps = Math.max(1, Math.round(decades * pointsPerDecade));
  const points: CostCurvePoint[] = [];
  for (let i = 0; i <= steps; i++) {
    // Pin the ends exactly so the axis domain matches the request despite floating-point drift.
    const n = i === 0 ? minN : i === steps ? maxN : 10 ** (Math.log10(minN) + (decades * i) / steps);
    points.push(costAt(n, p));
  }
  return points;
}

/** Both costs at one N, in seconds (for a highlighted dataset size). */
export function costAt(n: number, p: CostModelParameters): CostCurvePoint {
  return {
    n,
    conventionalSeconds: conventionalMicroseconds(n, p) / MICROSECONDS_PER_SECOND,
    mlSeconds: surrogateMicroseconds(n, p) / MICROSECONDS_PER_SECOND,
  };
}
