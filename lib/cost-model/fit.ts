// Fits of the cost model's parameters from recorded measurements, each with an uncertainty and a basis
// that says where the number came from, so the page can show "measured (12 transfers, R² 0.99)" or
// "paper default" next to every value.

import { PAPER_PARAMETERS, PAPER_PHYSICAL_QUANTITIES, MICROSECONDS_PER_SECOND } from "@/lib/cost-model/paper";
import {
  fitLineNonNegative,
  finiteValues,
  median,
  predictionStandardError,
  robustStandardDeviation,
  type LineFit,
  type LineFitMethod,
} from "@/lib/cost-model/stats";

export type FitSource = "measured" | "paper";

export interface FitQuality {
  /** R² for regressions; robust spread ÷ median for medians. */
  metric: "r2" | "relative-spread";
  /** Null when the data cannot say (one point, no variance). */
  value: number | null;
}

export interface FitBasis {
  source: FitSource;
  points: number;
  quality: FitQuality;
  /** One human sentence saying how the value was obtained. */
  note: string;
}

/** A value with its 1σ uncertainty, in the unit its name states. */
export interface Estimate {
  value: number;
  uncertainty: number;
}

/** A step duration prediction. */
export interface DurationEstimate {
  seconds: number;
  plusMinusSeconds: number;
}

/** Assumed 1σ relative uncertainty of a value taken from the paper rather than measured here. */
export const PAPER_DEFAULT_RELATIVE_UNCERTAINTY = 0.5;
/** Assumed 1σ relative uncertainty when measurements exist but are too few to estimate their scatter. */
export const FEW_POINTS_RELATIVE_UNCERTAINTY = 0.25;

const PAPER_BYTES_PER_SECOND = PAPER_PHYSICAL_QUANTITIES.wideAreaBytesPerSecond;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function formatR2(r2: number | null): string {
  return r2 === null ? "R² undefined" : `R² = ${r2.toFixed(3)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Transfers: T = x/v + S

export interface TransferRecord {
  bytes: number;
  files: number;
  seconds: number;
}

export interface TransferFit {
  /** Effective rate v, bytes/s. */
  bytesPerSecond: Estimate;
  /** Start-up S, s (never negative). */
  startupSeconds: Estimate;
  method: LineFitMethod | "paper-default";
  basis: FitBasis;
  /** The underlying regression (seconds against bytes), null for the paper default. */
  line: LineFit | null;
}

/**
 * Fits T = x/v + S by least squares over the recorded transfers of one host pair (`route`, e.g.
 * "edge-1 → polaris"). Decisions for thin data:
 * - no transfers: the paper's 1 GB/s and S = 0;
 * - one transfer, or all transfers of the same size: v and S cannot be separated, so S = 0 as in the
 *   paper's eqs. 4–5 and v = Σx / ΣT (aggregate throughput);
 * - a negative fitted S: refitted through the origin (S = 0);
 * - times that do not grow with size: aggregate throughput, S = 0;
 * - only empty transfers (x = 0): S = mean T, v = the paper's 1 GB/s.
 */
export function fitTransfer(records: readonly TransferRecord[], route: string): TransferFit {
  const usable = records.filter((r) => Number.isFinite(r.bytes) && Number.isFinite(r.seconds) && r.bytes >= 0 && r.seconds >= 0);
  const line = fitLineNonNegative(usable.map((r) => ({ x: r.bytes, y: r.seconds })));
  if (line === null) {
    return {
      bytesPerSecond: {
        value: PAPER_BYTES_PER_SECOND,
        uncertainty: PAPER_BYTES_PER_SECOND * PAPER_DEFAULT_RELATIVE_UNCERTAINTY,
      },
      startupSeconds: { value: 0, uncertainty: 0 },
      method: "paper-default",
      basis: {
        source: "paper",
        points: 0,
        quality: { metric: "r2", value: null },
        note: `paper default: no transfers recorded for ${route}, so 1 GB/s and no start-up are assumed.`,
      },
      line: null,
    };
  }

  const n = line.points;
  const distinctSizes = new Set(usable.map((r) => r.bytes)).size;
  if (line.method === "intercept-only") {
    return {
      bytesPerSecond: {
        value: PAPER_BYTES_PER_SECOND,
        uncertainty: PAPER_BYTES_PER_SECOND * PAPER_DEFAULT_RELATIVE_UNCERTAINTY,
      },
      startupSeconds: {
        value: line.intercept,
        uncertainty: line.interceptStandardError ?? line.intercept * FEW_POINTS_RELATIVE_UNCERTAINTY,
      },
      method: line.method,
      basis: {
        source: "measured",
        points: n,
        quality: { metric: "r2", value: null },
        note: `start-up from ${plural(n, "empty transfer")} for ${route}; rate is the paper's 1 GB/s because no bytes were moved.`,
      },
      line,
    };
  }

  const rate = 1 / line.slope;
  const rateUncertainty =
    line.slopeStandardError === null ? rate * FEW_POINTS_RELATIVE_UNCERTAINTY : line.slopeStandardError / (line.slope * line.slope);
  const startupUncertainty =
    line.interceptStandardError ?? (line.method === "ordinary-least-squares" ? line.intercept * FEW_POINTS_RELATIVE_UNCERTAINTY : 0);

  let note: string;
  switch (line.method) {
    case "ordinary-least-squares":
      note = `least squares over ${plural(n, "transfer")} for ${route} (${formatR2(line.rSquared)}).`;
      break;
    case "through-origin":
      note = `least squares over ${plural(n, "transfer")} for ${route} gave a negative start-up, so it was refitted with S = 0 (${formatR2(line.rSquared)}).`;
      break;
    default:
      note =
        n === 1
          ? `one transfer recorded for ${route}: rate taken from it and start-up assumed 0, as in the paper's eqs. 4–5.`
          : distinctSizes === 1
            ? `all ${plural(n, "transfer")} for ${route} moved the same size, so rate and start-up cannot be separated: aggregate rate, start-up 0.`
            : `times did not grow with size across ${plural(n, "transfer")} for ${route}: aggregate rate, start-up 0.`;
  }
  return {
    bytesPerSecond: { value: rate, uncertainty: rateUncertainty },
    startupSeconds: { value: line.intercept, uncertainty: startupUncertainty },
    method: line.method,
    basis: {
      source: "measured",
      points: n,
      quality: { metric: "r2", value: line.rSquared },
      note,
    },
    line,
  };
}

/** Predicted time of one transfer of `bytes`, with the 1σ uncertainty of a single new observation. */
export function predictTransferSeconds(fit: TransferFit, bytes: number): DurationEstimate {
  const seconds = bytes / fit.bytesPerSecond.value + fit.startupSeconds.value;
  return {
    seconds,
    plusMinusSeconds: lineUncertainty(fit.line, bytes, seconds, fit.basis.source),
  };
}

function lineUncertainty(line: LineFit | null, x: number, predicted: number, source: FitSource): number {
  if (line !== null) {
    const se = predictionStandardError(line, x);
    if (se !== null) return se;
  }
  const relative = source === "paper" ? PAPER_DEFAULT_RELATIVE_UNCERTAINTY : FEW_POINTS_RELATIVE_UNCERTAINTY;
  return predicted * relative;
}

// ---------------------------------------------------------------------------------------------------------
// Per-datum costs C(E) and C(A) from benchmarks: median and robust spread

export interface PerDatumBenchmark {
  secondsPerDatum: number;
}

export interface PerDatumFit {
  secondsPerDatum: Estimate;
  basis: FitBasis;
}

/**
 * Median of benchmarked seconds per datum with a robust spread (1.4826 × MAD) as its uncertainty; the spread,
 * not the standard error, because each future deploy is one more draw from that distribution.
 */
export function fitPerDatumCost(
  benchmarks: readonly PerDatumBenchmark[],
  subject: string,
  paperSecondsPerDatum: number,
  paperDescription: string,
): PerDatumFit {
  const values = finiteValues(benchmarks.map((b) => b.secondsPerDatum)).filter((v) => v >= 0);
  const centre = median(values);
  if (centre === null) {
    return {
      secondsPerDatum: {
        value: paperSecondsPerDatum,
        uncertainty: paperSecondsPerDatum * PAPER_DEFAULT_RELATIVE_UNCERTAINTY,
      },
      basis: {
        source: "paper",
        points: 0,
        quality: { metric: "relative-spread", value: null },
        note: `paper default: no benchmarks recorded for ${subject}, so ${paperDescription} is assumed.`,
      },
    };
  }
  const n = values.length;
  const spread = n >= 2 ? (robustStandardDeviation(values) ?? 0) : centre * FEW_POINTS_RELATIVE_UNCERTAINTY;
  return {
    secondsPerDatum: { value: centre, uncertainty: spread },
    basis: {
      source: "measured",
      points: n,
      quality: {
        metric: "relative-spread",
        value: n >= 2 && centre > 0 ? spread / centre : null,
      },
      note:
        n === 1
          ? `one benchmark recorded for ${subject}; its scatter is unknown, so ±${FEW_POINTS_RELATIVE_UNCERTAINTY * 100}% is assumed.`
          : `median of ${plural(n, "benchmark")} for ${subject}, spread 1.4826 × MAD.`,
    },
  };
}

/** C(E): inference cost per datum at the edge, from deploy benchmarks; paper default 0.35 µs. */
export function fitEstimateCost(benchmarks: readonly PerDatumBenchmark[], subject: string): PerDatumFit {
  return fitPerDatumCost(
    benchmarks,
    subject,
    PAPER_PARAMETERS.estimateMicrosecondsPerDatum / MICROSECONDS_PER_SECOND,
    "the paper's C(E) = 0.35 µs",
  );
}

/** C(A): conventional analysis cost per datum, from labeller benchmarks; paper default 2.44 µs. */
export function fitAnalysisCost(benchmarks: readonly PerDatumBenchmark[], subject: string): PerDatumFit {
  return fitPerDatumCost(
    benchmarks,
    subject,
    PAPER_PARAMETERS.analysisMicrosecondsPerDatum / MICROSECONDS_PER_SECOND,
    "the paper's C(A) = 2.44 µs",
  );
}
