import { describe, expect, it } from "vitest";
import { fitEstimateCost, fitAnalysisCost, fitQueueWait, fitTraining, fitTransfer } from "@/lib/cost-model/fit";
import {
  predictTurnaround,
  predictionError,
  recommendFastest,
  summarizePredictionErrors,
  type TrainerPredictionInput,
  type TurnaroundPrediction,
} from "@/lib/cost-model/predict";
import { stepSecondsFromRows } from "@/lib/flow/breakdown";

const BRAGG_DATASET = { bytes: 55_548 * 242 * 1.2, files: 1, samples: 55_548 };

function exactTransfers(rate: number, startup: number) {
  return [1e8, 1e9, 4e9].map((bytes) => ({
    bytes,
    files: 1,
    seconds: bytes / rate + startup,
  }));
}

function remoteInput(overrides: Partial<TrainerPredictionInput> = {}): TrainerPredictionInput {
  return {
    trainerId: "cerebras",
    trainerName: "Cerebras",
    queueWait: fitQueueWait([], "Cerebras"),
    queueDepth: 0,
    concurrency: 1,
    stageIn: fitTransfer(exactTransfers(1e9, 2), "edge-1 → alcf"),
    stageOut: fitTransfer(exactTransfers(1e9, 2), "alcf → edge-1"),
    training: fitTraining([], "BraggNN on Cerebras"),
    dataset: BRAGG_DATASET,
    epochs: 500,
    modelBytes: 3e6,
    deploy: {
      estimateCost: fitEstimateCost([], "BraggNN on edge-1"),
      validationSamples: 800_000,
    },
    ...overrides,
  };
}

describe("predictTurnaround", () => {
  it("adds up queue, stage-in, train, stage-out and deploy", () => {
    const prediction = predictTurnaround(remoteInput());
    // Stage-in: 16.13 MB / 1 GB/s + 2 s; train: paper C(T) = 19 s; stage-out 3 MB / 1 GB/s + 2 s;
    // deploy: 800 000 × 0.35 µs = 0.28 s; queue: 0.
    expect(prediction.steps.stageIn.seconds).toBeCloseTo(BRAGG_DATASET.bytes / 1e9 + 2, 9);
    expect(prediction.steps.train.seconds).toBeCloseTo(19, 9);
    expect(prediction.steps.stageOut.seconds).toBeCloseTo(2.003, 9);
    expect(prediction.steps.deploy.seconds).toBeCloseTo(0.28, 9);
    expect(prediction.steps.queue.seconds).toBe(0);
    expect(prediction.steps.label).toBeUndefined();
    expect(prediction.totalSeconds).toBeCloseTo(BRAGG_DATASET.bytes / 1e9 + 2 + 19 + 2.003 + 0.28, 9);
    expect(prediction.steps.train.source).toBe("paper");
    expect(prediction.basis.some((line) => line.startsWith("train: paper default"))).toBe(true);
  });

  it("combines step uncertainties in quadrature", () => {
    const p = predictTurnaround(remoteInput());
    const parts = [p.steps.queue, p.steps.stageIn, p.steps.train, p.steps.stageOut, p.steps.deploy];
    const expected = Math.sqrt(parts.reduce((s, x) => s + x.plusMinusSeconds ** 2, 0));
    expect(p.plusMinusSeconds).toBeCloseTo(expected, 12);
    // Train from the paper: ±50 % of 19 s dominates.
    expect(p.steps.train.plusMinusSeconds).toBeCloseTo(9.5, 9);
  });

  it("includes labelling when the dataset is unlabelled", () => {
    const p = predictTurnaround(
      remoteInput({
        label: {
          analysisCost: fitAnalysisCost([], "pseudo-Voigt"),
          unlabelledSamples: 1e6,
        },
      }),
    );
    expect(p.steps.label?.seconds).toBeCloseTo(2.44, 9);
    expect(p.basis.some((line) => line.startsWith("label:"))).toBe(true);
  });

  it("has no transfers for a trainer that reads data in place", () => {
    const p = predictTurnaround(remoteInput({ stageIn: null, stageOut: null }));
    expect(p.steps.stageIn).toMatchObject({ seconds: 0, plusMinusSeconds: 0 });
    expect(p.steps.stageOut.seconds).toBe(0);
  });

  it("adds a backlog when every slot is taken", () => {
    const training = fitTraining(
      [
        { samples: 1000, epochs: 10, seconds: 12 },
        { samples: 2000, epochs: 10, seconds: 22 },
        { samples: 4000, epochs: 10, seconds: 42 },
      ],
      "BraggNN on polaris",
    );
    const base = {
      training,
      dataset: { bytes: 1e6, files: 1, samples: 1000 },
      epochs: 10,
    };
    const free = predictTurnaround(
      remoteInput({
        ...base,
        queueWait: fitQueueWait([1, 2, 3], "polaris"),
        queueDepth: 1,
        concurrency: 2,
      }),
    );
    expect(free.steps.queue.seconds).toBe(2);
    // 3 ahead on 2 slots → (3 − 2 + 1) / 2 = 1 run's training (12 s) + the usual 2 s.
    const busy = predictTurnaround(
      remoteInput({
        ...base,
        queueWait: fitQueueWait([1, 2, 3], "polaris"),
        queueDepth: 3,
        concurrency: 2,
      }),
    );
    expect(busy.steps.queue.seconds).toBeCloseTo(14, 9);
    expect(busy.steps.queue.plusMinusSeconds).toBeGreaterThan(free.steps.queue.plusMinusSeconds);
  });
});

function prediction(trainerId: string, totalSeconds: number, plusMinusSeconds: number): TurnaroundPrediction {
  const zero = { seconds: 0, plusMinusSeconds: 0, source: "measured" as const };
  return {
    trainerId,
    trainerName: trainerId,
    steps: {
      queue: zero,
      stageIn: zero,
      train: { ...zero, seconds: totalSeconds, plusMinusSeconds },
      stageOut: zero,
      deploy: zero,
    },
    totalSeconds,
    plusMinusSeconds,
    basis: [],
  };
}

describe("recommendFastest", () => {
  it("picks the smallest total", () => {
    expect(
      recommendFastest([prediction("local", 1102, 50), prediction("cerebras", 31, 10), prediction("sambanova", 151, 20)])?.trainerId,
    ).toBe("cerebras");
  });

  it("breaks ties by smaller uncertainty, then by id", () => {
    expect(recommendFastest([prediction("a", 30, 10), prediction("b", 30, 4)])?.trainerId).toBe("b");
    expect(
      recommendFastest([prediction("a", 30, 10), prediction("b", 31, 4)], {
        tieToleranceSeconds: 2,
      })?.trainerId,
    ).toBe("b");
    expect(recommendFastest([prediction("b", 30, 4), prediction("a", 30, 4)])?.trainerId).toBe("a");
  });

  it("returns null for nothing to choose from", () => {
    expect(recommendFastest([])).toBeNull();
  });
});

describe("predictionError and summary", () => {
  it("compares each step and the total", () => {
    const p = predictTurnaround(remoteInput());
    const actualSteps = stepSecondsFromRows([
      { name: "queue", seconds: 0.1 },
      { name: "stage_in", seconds: 1 },
      { name: "stage_in", seconds: 7 },
      { name: "train", seconds: 19 },
      { name: "stage_out", seconds: 5 },
      { name: "deploy", seconds: null },
    ]);
    expect(actualSteps).toEqual({
      queue: 0.1,
      stageIn: 8,
      train: 19,
      stageOut: 5,
    });
    const error = predictionError(p, { steps: actualSteps, totalSeconds: 31 });
    expect(error.steps.train).toMatchObject({
      errorSeconds: expect.closeTo(0, 9),
      withinUncertainty: true,
    });
    expect(error.steps.stageOut?.errorSeconds).toBeCloseTo(2.003 - 5, 9);
    expect(error.steps.stageOut?.relativeError).toBeCloseTo((2.003 - 5) / 5, 9);
    expect(error.steps.deploy).toBeUndefined();
    expect(error.steps.queue?.relativeError).toBeCloseTo(-1, 9);
    expect(error.total.actualSeconds).toBe(31);
    expect(error.total.absoluteErrorSeconds).toBeCloseTo(Math.abs(p.totalSeconds - 31), 9);
  });

  it("summarises MAPE and bias over runs", () => {
    const errors = [
      predictionError(prediction("a", 110, 5), {
        steps: { train: 100 },
        totalSeconds: 100,
      }),
      predictionError(prediction("a", 40, 5), {
        steps: { train: 50 },
        totalSeconds: 50,
      }),
    ];
    const summary = summarizePredictionErrors(errors);
    // +10 % and −20 %: MAPE 15 %, bias −5 %.
    expect(summary.total.meanAbsolutePercentageError).toBeCloseTo(15, 9);
    expect(summary.total.biasPercent).toBeCloseTo(-5, 9);
    expect(summary.total.meanAbsoluteErrorSeconds).toBe(10);
    expect(summary.total.fractionWithinUncertainty).toBe(0);
    expect(summary.steps.train?.runs).toBe(2);
    expect(summary.steps.stageIn).toBeUndefined();
    expect(summarizePredictionErrors([]).total.meanAbsolutePercentageError).toBeNull();
  });
});
