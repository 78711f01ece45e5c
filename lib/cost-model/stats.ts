// Small, dependency-free statistics used by the cost-model fits. Everything here is pure.

/** Keeps only finite numbers, so a stray NaN from a half-written record cannot poison a fit. */
export function finiteValues(values: readonly number[]): number[] {
  return values.filter((value) => Number.isFinite(value));
}

/**
 * Quantile with linear interpolation between closest ranks (the "type 7" rule used by R and NumPy).
 * Returns null for an empty input.
 */
export function quantile(values: readonly number[], probability: number): number | null {
  const sorted = finiteValues(values).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const clamped = Math.min(1, Math.max(0, probability));
  const position = (sorted.length - 1) * clamped;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const fraction = position - lower;
  return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
}

export function median(values: readonly number[]): number | null {
  return quantile(values, 0.5);
}

export function mean(values: readonly number[]): number | null {
  const finite = finiteValues(values);
  if (finite.length === 0) return null;
  return finite.reduce((sum, value) => sum + value, 0) / finite.length;
}

/**
 * Robust standard deviation: 1.4826 × median absolute deviation, which equals σ for normal data
 * but is not dragged around by one slow outlier (a benchmark that hit a cold cache).
 */
export function robustStandardDeviation(values: readonly number[]): number | null {
  const centre = median(values);
  if (centre === null) return null;
  const deviations = finiteValues(values).map((value) => Math.abs(value - centre));
  const mad = median(deviations);
  return mad === null ? null : 1.4826 * mad;
}

/** Combines independent 1σ uncertainties in quadrature. */
export function quadratureSum(uncertainties: readonly number[]): number {
  return Math.sqrt(uncertainties.reduce((sum, value) => sum + value * value, 0));
}

export type LineFitMethod =
  /** Ordinary least squares, y = slope·x + intercept. */
  | "ordinary-least-squares"
  /** Least squares with the intercept fixed at zero (used when OLS gives a negative intercept). */
  | "through-origin"
  /** Too little spread in x to separate slope and intercept: slope = Σy / Σx, intercept 0. */
  | "ratio"
  /** x is zero everywhere: only an intercept (mean y) can be estimated. */
  | "intercept-only";

export interface LinePoint {
  x: number;
  y: number;
}

export interface LineFit {
  method: LineFitMethod;
  slope: number;
  intercept: number;
  /** 1σ standard errors; null when there are no residual degrees of freedom to estimate them. */
  slopeStandardError: number | null;
  interceptStandardError: number | null;
  /** Residual variance s²; null when degrees of freedom ≤ 0. */
  residualVariance: number | null;
  /** Coefficient of determination of the chosen model; null when y has no variance or n < 2. */
  rSquared: number | null;
  points: number;
  meanX: number;
  /** Σ(x − x̄)² for OLS, Σx² for through-origin and ratio fits: what the prediction variance needs. */
  sumSquaresX: number;
}

/**
 * Fits y = slope·x + intercept with a non-negative intercept and a positive slope, which is what both a
 * transfer time (T = x/v + S) and a training time (seconds per sample·epoch + start-up) require.
 * Returns null for no points.
 */
export function fitLineNonNegative(input: readonly LinePoint[]): LineFit | null {
  const points = input.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x >= 0 && p.y >= 0);
  const n = points.length;
  if (n === 0) return null;
  const sumX = points.reduce((s, p) => s + p.x, 0);
  const sumY = points.reduce((s, p) => s + p.y, 0);
  const meanX = sumX / n;
  const meanY = sumY / n;

  if (sumX === 0) {
    const residualVariance = n > 1 ? points.reduce((s, p) => s + (p.y - meanY) ** 2, 0) / (n - 1) : null;
    return {
      method: "intercept-only",
      slope: 0,
      intercept: meanY,
      slopeStandardError: null,
      interceptStandardError: residualVariance === null ? null : Math.sqrt(residualVariance / n),
      residualVariance,
      rSquared: null,
      points: n,
      meanX,
      sumSquaresX: 0,
    };
  }

  const sxx = points.reduce((s, p) => s + (p.x - meanX) ** 2, 0);
  // Relative test: byte counts are ~1e9, so an absolute epsilon would be meaningless.
  const xHasSpread = n >= 2 && sxx > 1e-12 * Math.max(1, meanX * meanX) * n;

  if (xHasSpread) {
    const sxy = points.reduce((s, p) => s + (p.x - meanX) * (p.y - meanY), 0);
    const slope = sxy / sxx;
    const intercept = meanY - slope * meanX;
    if (slope > 0 && intercept >= 0) {
      const dof = n - 2;
      const sse = points.reduce((s, p) => s + (p.y - (slope * p.x + intercept)) ** 2, 0);
      const residualVariance = dof > 0 ? sse / dof : null;
      return {
        method: "ordinary-least-squares",
        slope,
        intercept,
        slopeStandardError: residualVariance === null ? null : Math.sqrt(residualVariance / sxx),
        interceptStandardError: residualVariance === null ? null : Math.sqrt(residualVariance * (1 / n + (meanX * meanX) / sxx)),
        residualVariance,
        rSquared: coefficientOfDetermination(points, meanY, sse),
        points: n,
        meanX,
        sumSquaresX: sxx,
      };
    }
    if (slope > 0) {
      // Negative start-up is unphysical: refit with the intercept pinned at zero (constrained least squares).
      const sumXX = points.reduce((s, p) => s + p.x * p.x, 0);
      const sumXY = points.reduce((s, p) => s + p.x * p.y, 0);
      const originSlope = sumXY / sumXX;
      const dof = n - 1;
      const sse = points.reduce((s, p) => s + (p.y - originSlope * p.x) ** 2, 0);
      const residualVariance = dof > 0 ? sse / dof : null;
      return {
        method: "through-origin",
        slope: originSlope,
        intercept: 0,
        slopeStandardError: residualVariance === null ? null : Math.sqrt(residualVariance / sumXX),
        interceptStandardError: null,
        residualVariance,
        rSquared: coefficientOfDetermination(points, meanY, sse),
        points: n,
        meanX,
        sumSquaresX: sumXX,
      };
    }
  }

  // One point, identical x values, or times that did not grow with size: aggregate throughput.
  const slope = sumY / sumX;
  const dof = n - 1;
  const sse = points.reduce((s, p) => s + (p.y - slope * p.x) ** 2, 0);
  const residualVariance = dof > 0 ? sse / dof : null;
  const sumXX = points.reduce((s, p) => s + p.x * p.x, 0);
  return {
    method: "ratio",
    slope,
    intercept: 0,
    slopeStandardError: residualVariance === null ? null : Math.sqrt(residualVariance / sumXX),
    interceptStandardError: null,
    residualVariance,
    rSquared: n >= 2 ? coefficientOfDetermination(points, meanY, sse) : null,
    points: n,
    meanX,
    sumSquaresX: sumXX,
  };
}

function coefficientOfDetermination(points: readonly LinePoint[], meanY: number, sse: number): number | null {
  const sst = points.reduce((s, p) => s + (p.y - meanY) ** 2, 0);
  if (sst === 0) return sse === 0 ? 1 : null;
  return 1 - sse / sst;
}

/**
 * 1σ uncertainty of one new observation at x (prediction interval, not just the mean response), because a
 * user waits for one real transfer, not for the average of many. Null when the fit has no residual dof.
 */
export function predictionStandardError(fit: LineFit, x: number): number | null {
  if (fit.residualVariance === null) return null;
  const s2 = fit.residualVariance;
  switch (fit.method) {
    case "ordinary-least-squares":
      return Math.sqrt(s2 * (1 + 1 / fit.points + (x - fit.meanX) ** 2 / fit.sumSquaresX));
    case "through-origin":
    case "ratio":
      return Math.sqrt(s2 * (1 + (x * x) / fit.sumSquaresX));
    case "intercept-only":
      return Math.sqrt(s2 * (1 + 1 / fit.points));
  }
}
