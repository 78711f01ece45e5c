import { describe, expect, it } from "vitest";
import { predictionError, recommendFastest, summarizePredictionErrors, type TurnaroundPrediction } from "@/lib/cost-model/predict";
import { stepSecondsFromRows } from "@/lib/flow/breakdown";

function prediction(trainerId: string, totalSeconds: number, plusMinusSeconds: number): TurnaroundPrediction {
  const step = (seconds: number) => ({ seconds, plusMinusSeconds: seconds * 0.1, source: "runs" as const });
  return {
    trainerId,
    trainerName: trainerId,
    steps: { queue: step(0), stageIn: step(2.003), train: step(19), stageOut: step(2.003), deploy: step(totalSeconds - 23.006) },
    totalSeconds,
    plusMinusSeconds,
    intervalPercent: 80,
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
    const p = prediction("cerebras", 31, 4);
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
