// A step's duration as a non-negative linear combination of workload features (seconds = Σ βⱼ·xⱼ, e.g.
// training = start-up + per-epoch + epochs × train samples ÷ throughput + epochs × validation samples ÷
// throughput), fitted by least squares over past runs with the calibration as prior evidence, and an 80 %
// prediction interval from the fit's residuals. Pure.
//
// Why this shape:
// - Timing noise on a shared host is multiplicative (a busy machine slows everything by a factor), so rows
//   are weighted by 1/seconds: the fit minimises relative error, which is also what MAPE measures.
// - The calibration (or the paper) gives each coefficient a prior mean with a relative 1σ; it enters as
//   pseudo-observations (ridge towards the prior). With no runs the prediction is the prior; each run pulls
//   the coefficients towards what was measured, and features that runs never varied stay at the prior.
// - Coefficients are durations per unit of work: negative ones are unphysical, so the fit is exact NNLS
//   (every subset of free coefficients is solved and the best feasible one kept: at most 2⁵ tiny solves).
// - The interval's relative scatter pools the residuals with the prior's scatter as K_PRIOR pseudo-runs,
//   so two lucky runs cannot shrink it to nothing; in-sample residuals are corrected for the parameters the
//   runs paid for (effective degrees of freedom of the ridge fit), and Student's t uses what is left.

export type EvidenceSource = "runs" | "calibration" | "paper";

export interface PriorCoefficient {
  /** Prior mean (seconds per unit of the feature). */
  mean: number;
  /** 1σ of the prior, in seconds per unit; 0 or Infinity = no prior on this coefficient. */
  sd: number;
}

export interface ScalingPrior {
  coefficients: PriorCoefficient[];
  /** Relative 1σ scatter of one prediction made from the prior alone. */
  relativeScatter: number;
  source: Exclude<EvidenceSource, "runs">;
  /** Where the prior comes from, e.g. "calibration of 29 Nov 16:02". */
  note: string;
}

export interface ScalingObservation {
  features: number[];
  seconds: number;
}

export interface ScalingFit {
  features: readonly string[];
  coefficients: number[];
  /** Relative 1σ scatter of a new run around the fitted value (pooled with the prior). */
  relativeScatter: number;
  /** Degrees of freedom behind relativeScatter (prior pseudo-runs + runs − parameters the runs fitted). */
  degreesOfFreedom: number;
  /**
   * Covariance of the coefficients once runs were fitted (null before): far from the runs seen (16 epochs
   * when runs had at most 4) the interval widens by the uncertainty of the fitted coefficients.
   */
  covariance: number[][] | null;
  runs: number;
  source: EvidenceSource;
  /** One sentence: where the numbers come from. */
  note: string;
}

export interface IntervalPrediction {
  seconds: number;
  /** Half-width of the 80 % prediction interval, seconds (the interval is seconds ± this, floored at 0). */
  plusMinusSeconds: number;
}

/**
 * Assumed relative 1σ of one run's time around its model, for weighting runs against the prior: on a
 * shared host one run can be 20 % off by itself, so a single run moves a calibrated coefficient about as
 * much as the calibration's own 30 % allows, and a few runs outweigh it.
 */
export const RUN_RELATIVE_NOISE = 0.2;
/** Pseudo-runs the prior scatter counts for when pooled with residuals. */
export const K_PRIOR = 3;
/** Two-sided 80 % → the 90th percentile. */
const T90: Array<[number, number]> = [
  [1, 3.078],
  [2, 1.886],
  [3, 1.638],
  [4, 1.533],
  [5, 1.476],
  [6, 1.44],
  [8, 1.397],
  [10, 1.372],
  [15, 1.341],
  [20, 1.325],
  [30, 1.31],
  [60, 1.296],
];
export const Z90 = 1.2816;

/** 90th percentile of Student's t with ν degrees of freedom (table, linear in between, normal beyond 60). */
export function studentT90(dof: number): number {
  if (!(dof >= 1)) return T90[0][1];
  if (dof >= 60) return Z90;
  for (let i = 1; i < T90.length; i++) {
    const [d1, t1] = T90[i];
    const [d0, t0] = T90[i - 1];
    if (dof <= d1) return t0 + ((t1 - t0) * (dof - d0)) / (d1 - d0);
  }
  return Z90;
}

/** Solves the square system M·x = v by Gaussian elimination with partial pivoting; null when singular. */
function solve(matrix: number[][], vector: number[]): number[] | null {
  const n = vector.length;
  const a = matrix.map((row, i) => [...row, vector[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    const scale = Math.max(...a.map((row) => Math.abs(row[col])), 1e-300);
    if (Math.abs(a[pivot][col]) < 1e-12 * scale) return null;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= n; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}

/**
 * Non-negative least squares min ‖A·β − b‖², β ≥ 0, exactly, for a handful of columns: the optimum is the
 * unconstrained solution on its own set of positive coefficients, so every subset is tried. Columns are
 * scaled to unit norm first (features differ by orders of magnitude: 1 vs 10⁵ sample·epochs).
 */
export function nonNegativeLeastSquares(rows: readonly number[][], targets: readonly number[]): number[] {
  const p = rows[0]?.length ?? 0;
  if (p > 8) throw new Error("nonNegativeLeastSquares is exhaustive: at most 8 columns");
  const norms = Array.from({ length: p }, (_, j) => Math.sqrt(rows.reduce((s, r) => s + r[j] * r[j], 0)) || 1);
  const scaled = rows.map((r) => r.map((v, j) => v / norms[j]));
  let best: { beta: number[]; sse: number } = { beta: new Array<number>(p).fill(0), sse: targets.reduce((s, t) => s + t * t, 0) };
  for (let mask = 1; mask < 1 << p; mask++) {
    const cols = Array.from({ length: p }, (_, j) => j).filter((j) => mask & (1 << j));
    const normal = cols.map((i) => cols.map((j) => scaled.reduce((s, r) => s + r[i] * r[j], 0)));
    const rhs = cols.map((i) => scaled.reduce((s, r, k) => s + r[i] * targets[k], 0));
    const sub = solve(normal, rhs);
    if (!sub || sub.some((v) => v < 0)) continue;
    const beta = new Array<number>(p).fill(0);
    cols.forEach((j, k) => (beta[j] = sub[k]));
    const sse = scaled.reduce((s, r, k) => s + (r.reduce((acc, v, j) => acc + v * beta[j], 0) - targets[k]) ** 2, 0);
    if (sse < best.sse - 1e-15 * Math.max(1, best.sse)) best = { beta, sse };
  }
  return best.beta.map((v, j) => v / norms[j]);
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

/** (Σ rowᵀ·row)⁻¹ of weighted rows, computed on unit-norm columns for conditioning; null when singular. */
function inverseNormalMatrix(rows: readonly number[][], p: number): number[][] | null {
  const norms = Array.from({ length: p }, (_, j) => Math.sqrt(rows.reduce((s, r) => s + r[j] * r[j], 0)) || 1);
  const a = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => rows.reduce((s, r) => s + r[i] * r[j], 0) / (norms[i] * norms[j])),
  );
  const columns: number[][] = [];
  for (let j = 0; j < p; j++) {
    const column = solve(
      a,
      Array.from({ length: p }, (_, i) => (i === j ? 1 : 0)),
    );
    if (!column) return null;
    columns.push(column);
  }
  return Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => columns[j][i] / (norms[i] * norms[j])));
}

/**
 * Parameters the runs themselves paid for: the trace of the ridge hat matrix, tr((XᵀX + Λ)⁻¹ XᵀX), with X
 * the weighted run rows and Λ the prior's precision. 0 when the prior decides everything, p when the runs
 * do; in-sample residuals are shrunk by this many degrees of freedom, so the scatter is corrected for it.
 */
export function effectiveParameters(runRows: readonly number[][], priorPrecision: readonly number[]): number {
  const p = priorPrecision.length;
  if (runRows.length === 0) return 0;
  const norms = Array.from({ length: p }, (_, j) => Math.sqrt(runRows.reduce((s, r) => s + r[j] * r[j], 0) + priorPrecision[j]) || 1);
  const xtx = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => runRows.reduce((s, r) => s + r[i] * r[j], 0) / (norms[i] * norms[j])),
  );
  const a = xtx.map((row, i) => row.map((v, j) => v + (i === j ? priorPrecision[i] / (norms[i] * norms[i]) : 0)));
  let trace = 0;
  for (let j = 0; j < p; j++) {
    const column = solve(
      a,
      xtx.map((row) => row[j]),
    );
    if (!column) return Math.min(p, runRows.length);
    trace += column[j];
  }
  return Math.max(0, Math.min(p, trace));
}

function plural(n: number, noun: string) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * Fits seconds = Σ βⱼ·featureⱼ over `observations` (each a succeeded run's measured step) with `prior`
 * as evidence. `subject` names what is fitted ("BraggNN training on local-cpu") for the note.
 */
export function fitScalingModel(
  features: readonly string[],
  observations: readonly ScalingObservation[],
  prior: ScalingPrior,
  subject: string,
): ScalingFit {
  const p = features.length;
  if (prior.coefficients.length !== p) throw new Error(`prior for ${subject} has ${prior.coefficients.length} coefficients, not ${p}`);
  const usable = observations.filter(
    (o) => o.features.length === p && Number.isFinite(o.seconds) && o.seconds > 0 && o.features.every((x) => Number.isFinite(x) && x >= 0),
  );
  const rows: number[][] = [];
  const targets: number[] = [];
  const precision = prior.coefficients.map((c) => (c.sd > 0 && Number.isFinite(c.sd) ? 1 / (c.sd * c.sd) : 0));
  for (const o of usable) {
    const w = 1 / (RUN_RELATIVE_NOISE * o.seconds);
    rows.push(o.features.map((x) => x * w));
    targets.push(o.seconds * w);
  }
  prior.coefficients.forEach((c, j) => {
    if (!(c.sd > 0) || !Number.isFinite(c.sd)) return;
    const row = new Array<number>(p).fill(0);
    row[j] = 1 / c.sd;
    rows.push(row);
    targets.push(c.mean / c.sd);
  });
  const coefficients = rows.length ? nonNegativeLeastSquares(rows, targets) : prior.coefficients.map((c) => c.mean);

  const n = usable.length;
  const squaredResiduals = usable.map((o) => {
    const fitted = dot(o.features, coefficients);
    return fitted > 0 ? ((o.seconds - fitted) / fitted) ** 2 : 1;
  });
  const runRows = rows.slice(0, n);
  const dof = K_PRIOR + Math.max(0, n - effectiveParameters(runRows, precision));
  const pooled = Math.sqrt((K_PRIOR * prior.relativeScatter ** 2 + squaredResiduals.reduce((s, v) => s + v, 0)) / dof);
  // Rows were weighted for a RUN_RELATIVE_NOISE scatter; the coefficients' covariance scales with the real one.
  const inverse = n > 0 ? inverseNormalMatrix(rows, p) : null;
  const scale = (pooled / RUN_RELATIVE_NOISE) ** 2;
  const covariance = inverse ? inverse.map((row) => row.map((v) => v * scale)) : null;
  const note =
    n === 0
      ? `${subject}: no runs yet, from ${prior.note}`
      : `${subject}: least squares over ${plural(n, "run")}, with ${prior.note} as prior evidence`;
  return {
    features,
    coefficients,
    relativeScatter: pooled,
    degreesOfFreedom: dof,
    covariance,
    runs: n,
    source: n > 0 ? "runs" : prior.source,
    note,
  };
}

/** The fitted duration at `features` with its 80 % interval half-width. */
export function predictScaling(fit: ScalingFit, features: readonly number[]): IntervalPrediction {
  const seconds = Math.max(0, dot(features, fit.coefficients));
  // A new run scatters around the fitted line, which is itself uncertain: the two variances add.
  const lineVariance = fit.covariance
    ? Math.max(
        0,
        dot(
          features,
          fit.covariance.map((row) => dot(row, features)),
        ),
      )
    : 0;
  const sd = Math.sqrt((fit.relativeScatter * seconds) ** 2 + lineVariance);
  return { seconds, plusMinusSeconds: studentT90(fit.degreesOfFreedom) * sd };
}
