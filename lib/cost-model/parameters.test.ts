import { describe, expect, it } from "vitest";
import { fitAnalysisCost, fitEstimateCost, fitTransfer } from "@/lib/cost-model/fit";
import { PAPER_PARAMETERS, breakEvenN } from "@/lib/cost-model/paper";
import {
  fromDisplay,
  measuredParameterSet,
  paperParameterSet,
  parameterValues,
  sourceLabel,
  toDisplay,
  validParameter,
} from "./parameters";

const empty = {
  familyName: "BraggNN",
  trainerName: "polaris",
  edgeName: "edge-1",
  datasets: [],
  modelBytes: [],
  stageIn: fitTransfer([], "edge-1 → polaris"),
  stageOut: fitTransfer([], "polaris → edge-1"),
  analysis: fitAnalysisCost([], "BraggNN labelling"),
  estimate: fitEstimateCost([], "BraggNN on edge-1"),
  training: {
    seconds: 0.001,
    plusMinusSeconds: 0.001,
    source: "paper" as const,
    runs: 0,
    note: "paper prior",
    workload: { epochs: 8, samples: 1000, batchSize: 256 },
  },
};

describe("measuredParameterSet", () => {
  it("without any measurement reproduces the paper's values, all marked paper", () => {
    const set = measuredParameterSet(empty);
    const values = parameterValues(set);
    expect(values.transferInMicrosecondsPerDatum).toBeCloseTo(0.242, 6);
    expect(values.analysisMicrosecondsPerDatum).toBeCloseTo(PAPER_PARAMETERS.analysisMicrosecondsPerDatum, 6);
    expect(values.resultReturnMicrosecondsPerDatum).toBeCloseTo(0.008, 9);
    expect(values.estimateMicrosecondsPerDatum).toBeCloseTo(0.35, 9);
    expect(values.trainingMicroseconds).toBe(19e6);
    expect(values.modelTransferMicroseconds).toBeCloseTo(3000, 6);
    expect(values.labelledFraction).toBe(0.1);
    for (const p of Object.values(set)) expect(p.source).toBe("paper");
    expect(sourceLabel(set.trainingMicroseconds)).toBe("paper default");
  });

  it("uses measured transfers, datasets, models and runs", () => {
    // 500 MB/s with 2 s start-up.
    const transfers = [1e8, 5e8, 1e9].map((bytes) => ({ bytes, files: 1, seconds: bytes / 5e8 + 2 }));
    const set = measuredParameterSet({
      ...empty,
      datasets: [
        { bytes: 1000, sampleCount: 2 },
        { bytes: 3000, sampleCount: 10 },
        { bytes: 500, sampleCount: 1 },
      ],
      modelBytes: [1e6, 2e6, 3e6],
      stageIn: fitTransfer(transfers, "edge-1 → polaris"),
      stageOut: fitTransfer(transfers, "polaris → edge-1"),
      training: {
        seconds: 20,
        plusMinusSeconds: 4,
        source: "runs",
        runs: 3,
        note: "BraggNN training on polaris: least squares over 3 runs, with a calibration as prior evidence.",
        workload: { epochs: 8, samples: 1000, batchSize: 256 },
      },
    });
    expect(set.transferInMicrosecondsPerDatum.value).toBeCloseTo((500 / 5e8) * 1e6, 6);
    expect(set.transferInMicrosecondsPerDatum.source).toBe("measured");
    expect(sourceLabel(set.transferInMicrosecondsPerDatum)).toBe("measured from 3 transfers");
    expect(set.modelTransferMicroseconds.value).toBeCloseTo((2e6 / 5e8 + 2) * 1e6, 3);
    expect(set.trainingMicroseconds.value).toBe(20e6);
    expect(sourceLabel(set.trainingMicroseconds)).toBe("measured from 3 runs");
    expect(set.trainingMicroseconds.note).toBe(
      "training-time model at 1 000 samples × 8 epochs, batch 256 (± 4 s, 80 % interval): BraggNN training on polaris: least squares over 3 runs, with a calibration as prior evidence.",
    );
    expect(set.analysisMicrosecondsPerDatum.source).toBe("paper");
    expect(breakEvenN(parameterValues(set))).toBeGreaterThan(0);
  });

  it("takes C(T) from a calibration alone before any run", () => {
    const set = measuredParameterSet({
      ...empty,
      training: { ...empty.training, seconds: 12, source: "calibration", note: "from a calibration" },
    });
    expect(set.trainingMicroseconds.value).toBe(12e6);
    expect(sourceLabel(set.trainingMicroseconds)).toBe("measured from 1 calibration");
  });

  it("labels a single point in the singular", () => {
    expect(sourceLabel({ source: "measured", points: 1, pointKind: "runs" })).toBe("measured from 1 run");
  });
});

describe("display units and validation", () => {
  it("shows C(T) and the model transfer in seconds", () => {
    expect(toDisplay("trainingMicroseconds", 19e6)).toBe(19);
    expect(fromDisplay("trainingMicroseconds", 19)).toBe(19e6);
    expect(toDisplay("analysisMicrosecondsPerDatum", 2.44)).toBe(2.44);
  });
  it("rejects negative, non-finite and out-of-range p", () => {
    expect(validParameter("labelledFraction", 0)).toBe(false);
    expect(validParameter("labelledFraction", 1)).toBe(true);
    expect(validParameter("labelledFraction", 1.5)).toBe(false);
    expect(validParameter("trainingMicroseconds", -1)).toBe(false);
    expect(validParameter("trainingMicroseconds", Number.NaN)).toBe(false);
    expect(validParameter("trainingMicroseconds", 0)).toBe(true);
  });
  it("paper set matches PAPER_PARAMETERS", () => {
    expect(parameterValues(paperParameterSet())).toEqual(PAPER_PARAMETERS);
  });
});
