// Pure: turns the fits gathered from the database into the seven parameters of the paper's eqs. 4–5, each
// with where it came from ("measured from 12 transfers …" or "paper default …"), so the page can show the
// provenance next to every number a PI might question.
import type { FitSource, PerDatumFit, TransferFit } from "@/lib/cost-model/fit";
import type { EvidenceSource } from "@/lib/cost-model/scaling-model";
import { formatBytes, formatCount, formatDuration, formatRate } from "@/lib/cost-model/format";
import {
  MICROSECONDS_PER_SECOND,
  PAPER_PARAMETERS,
  PAPER_PHYSICAL_QUANTITIES,
  microseconds,
  patchBytes,
  transferMicroseconds,
  type CostModelParameters,
} from "@/lib/cost-model/paper";
import { median } from "@/lib/cost-model/stats";

export type ParameterKey = keyof CostModelParameters;

export interface ParameterValue {
  value: number;
  source: FitSource;
  /** How many recorded transfers / runs / benchmarks the value rests on (0 for paper defaults). */
  points: number;
  /** What the points are ("transfers", "runs", "benchmarks"). */
  pointKind: string;
  note: string;
}

export type ParameterSet = Record<ParameterKey, ParameterValue>;

/** Order, label and unit of each parameter as the page shows them (values are in the paper's units). */
export const PARAMETER_FIELDS: ReadonlyArray<{ key: ParameterKey; symbol: string; label: string; unit: "µs" | "s" | "fraction" }> = [
  { key: "transferInMicrosecondsPerDatum", symbol: "C(ex→dc)", label: "Move one raw datum to the data center", unit: "µs" },
  { key: "analysisMicrosecondsPerDatum", symbol: "C(A_dc)", label: "Conventional analysis of one datum", unit: "µs" },
  { key: "resultReturnMicrosecondsPerDatum", symbol: "C(dc→ex), result", label: "Send one datum's result back", unit: "µs" },
  { key: "estimateMicrosecondsPerDatum", symbol: "C(E)", label: "Estimate one datum with the model at the edge", unit: "µs" },
  { key: "trainingMicroseconds", symbol: "C(T)", label: "Train the model once", unit: "s" },
  { key: "modelTransferMicroseconds", symbol: "C(dc→ex), model", label: "Send the trained model to the edge", unit: "s" },
  { key: "labelledFraction", symbol: "p", label: "Fraction labelled conventionally for training", unit: "fraction" },
];

/** The paper's values, all marked as paper defaults. */
export function paperParameterSet(): ParameterSet {
  const q = PAPER_PHYSICAL_QUANTITIES;
  const paper = (key: ParameterKey, note: string): ParameterValue => ({
    value: PAPER_PARAMETERS[key],
    source: "paper",
    points: 0,
    pointKind: "",
    note,
  });
  return {
    transferInMicrosecondsPerDatum: paper("transferInMicrosecondsPerDatum", "paper: a 242 B patch (11 × 11 px, 16 bit) at 1 GB/s."),
    analysisMicrosecondsPerDatum: paper(
      "analysisMicrosecondsPerDatum",
      "paper: 2000 core·s for 800 000 peaks on 1024 cores (pseudo-Voigt fitting).",
    ),
    resultReturnMicrosecondsPerDatum: paper(
      "resultReturnMicrosecondsPerDatum",
      `paper: ${q.resultBytesPerDatum} B per peak position at 1 GB/s.`,
    ),
    estimateMicrosecondsPerDatum: paper("estimateMicrosecondsPerDatum", "paper: BraggNN estimates 800 000 peaks in 280 ms."),
    trainingMicroseconds: paper("trainingMicroseconds", "paper: BraggNN trains in 19 s on the Cerebras wafer (Table 1)."),
    modelTransferMicroseconds: paper("modelTransferMicroseconds", "paper: a 3 MB model at 1 GB/s."),
    labelledFraction: paper("labelledFraction", "paper: p = 10 % of the data is labelled conventionally."),
  };
}

export interface MeasuredInputs {
  familyName: string;
  trainerName: string;
  edgeName: string;
  /** Recorded datasets of the family (visible to the viewer): bytes and samples. */
  datasets: ReadonlyArray<{ bytes: number; sampleCount: number }>;
  /** Artifact sizes of the family's recent model versions, bytes. */
  modelBytes: readonly number[];
  /** edge → trainer and trainer → edge fits. */
  stageIn: TransferFit;
  stageOut: TransferFit;
  analysis: PerDatumFit;
  estimate: PerDatumFit;
  /** The training-time model of the family on the trainer, evaluated at the chosen workload. */
  training: {
    seconds: number;
    plusMinusSeconds: number;
    source: EvidenceSource;
    runs: number;
    note: string;
    workload: { epochs: number; samples: number; batchSize: number };
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function stripPeriod(text: string): string {
  return text.replace(/\.$/, "");
}

/** Each parameter from measurements where there are any, else the paper's value, with the reason. */
export function measuredParameterSet(m: MeasuredInputs): ParameterSet {
  const paper = paperParameterSet();
  const q = PAPER_PHYSICAL_QUANTITIES;

  const perDatum = m.datasets.filter((d) => d.sampleCount > 0 && d.bytes > 0).map((d) => d.bytes / d.sampleCount);
  const measuredDatumBytes = median(perDatum);
  const datumBytes = measuredDatumBytes ?? patchBytes(q.patchWidthPixels, q.patchHeightPixels, q.bitsPerPixel);
  const datumNote =
    measuredDatumBytes === null
      ? `${formatBytes(datumBytes)} per datum (paper's 11 × 11 px patch; no ${m.familyName} dataset recorded)`
      : `${formatBytes(datumBytes)} per datum (median of ${plural(perDatum.length, "dataset")})`;

  const rateIn = m.stageIn.bytesPerSecond.value;
  const rateOut = m.stageOut.bytesPerSecond.value;
  const transferIn: ParameterValue = {
    value: transferMicroseconds(datumBytes, rateIn),
    source: m.stageIn.basis.source,
    points: m.stageIn.basis.points,
    pointKind: "transfers",
    note: `${datumNote} ÷ ${formatRate(rateIn)}: ${stripPeriod(m.stageIn.basis.note)}.`,
  };

  const perDatumParameter = (fit: PerDatumFit): ParameterValue => ({
    value: microseconds(fit.secondsPerDatum.value),
    source: fit.basis.source,
    points: fit.basis.points,
    pointKind: "benchmarks",
    note: fit.basis.note,
  });

  const resultReturn: ParameterValue = {
    value: transferMicroseconds(q.resultBytesPerDatum, rateOut),
    source: m.stageOut.basis.source,
    points: m.stageOut.basis.points,
    pointKind: "transfers",
    note: `${q.resultBytesPerDatum} B per result (paper's peak position) ÷ ${formatRate(rateOut)}: ${stripPeriod(m.stageOut.basis.note)}.`,
  };

  const t = m.training;
  const workload = `${formatCount(t.workload.samples)} samples × ${formatCount(t.workload.epochs)} epochs, batch ${t.workload.batchSize}`;
  const training: ParameterValue =
    t.source === "paper"
      ? {
          ...paper.trainingMicroseconds,
          note: `paper default: ${m.trainerName} is not calibrated and has no succeeded run of ${m.familyName}, so the paper's 19 s (BraggNN on Cerebras) is assumed.`,
        }
      : {
          value: microseconds(t.seconds),
          source: "measured",
          points: t.runs > 0 ? t.runs : 1,
          pointKind: t.runs > 0 ? "runs" : "calibrations",
          note: `training-time model at ${workload} (± ${formatDuration(t.plusMinusSeconds)}, 80 % interval): ${stripPeriod(t.note)}.`,
        };

  const measuredModelBytes = median(m.modelBytes.filter((b) => b > 0));
  const modelBytes = measuredModelBytes ?? q.modelBytes;
  const startup = m.stageOut.startupSeconds.value;
  const modelTransfer: ParameterValue = {
    value: transferMicroseconds(modelBytes, rateOut) + microseconds(startup),
    source: m.stageOut.basis.source,
    points: m.stageOut.basis.points,
    pointKind: "transfers",
    note: `${formatBytes(modelBytes)} model (${measuredModelBytes === null ? "paper's 3 MB; no model version recorded" : `median of ${plural(m.modelBytes.length, "model version")}`}) ÷ ${formatRate(rateOut)} + start-up ${formatDuration(startup)}: ${stripPeriod(m.stageOut.basis.note)}.`,
  };

  return {
    transferInMicrosecondsPerDatum: transferIn,
    analysisMicrosecondsPerDatum: perDatumParameter(m.analysis),
    resultReturnMicrosecondsPerDatum: resultReturn,
    estimateMicrosecondsPerDatum: perDatumParameter(m.estimate),
    trainingMicroseconds: training,
    modelTransferMicroseconds: modelTransfer,
    labelledFraction: { ...paper.labelledFraction, note: "paper default: p is a choice, not a measurement (the paper's 10 %)." },
  };
}

export function parameterValues(set: ParameterSet): CostModelParameters {
  const out = {} as CostModelParameters;
  for (const { key } of PARAMETER_FIELDS) out[key] = set[key].value;
  return out;
}

/** "measured from 12 transfers" / "paper default". */
export function sourceLabel(p: Pick<ParameterValue, "source" | "points" | "pointKind">): string {
  if (p.source === "paper") return "paper default";
  return `measured from ${p.points} ${p.points === 1 ? p.pointKind.replace(/s$/, "") : p.pointKind}`;
}

/** Display unit conversion: values are stored in µs except p; "s" fields are shown in seconds. */
export function toDisplay(key: ParameterKey, value: number): number {
  const field = PARAMETER_FIELDS.find((f) => f.key === key);
  return field?.unit === "s" ? value / MICROSECONDS_PER_SECOND : value;
}

export function fromDisplay(key: ParameterKey, display: number): number {
  const field = PARAMETER_FIELDS.find((f) => f.key === key);
  return field?.unit === "s" ? display * MICROSECONDS_PER_SECOND : display;
}

/** Whether an edited value is usable: finite, non-negative, p in (0, 1]. */
export function validParameter(key: ParameterKey, value: number): boolean {
  if (!Number.isFinite(value) || value < 0) return false;
  if (key === "labelledFraction") return value > 0 && value <= 1;
  return true;
}
