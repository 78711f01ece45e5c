import { describe, expect, it } from "vitest";
import { predictionError } from "@/lib/cost-model/predict";
import { actualTurnaround, parseStoredPrediction } from "./prediction-errors";

const trainer = { id: "t1", name: "polaris" };
const stored = {
  trainerId: "t1",
  trainerName: "polaris",
  totalSeconds: 100,
  plusMinusSeconds: 10,
  steps: {
    queue: { seconds: 10, plusMinusSeconds: 2, source: "measured" },
    stageIn: { seconds: 20, plusMinusSeconds: 2, source: "measured" },
    train: { seconds: 50, plusMinusSeconds: 5, source: "paper" },
    stageOut: { seconds: 5, plusMinusSeconds: 1, source: "measured" },
    deploy: { seconds: 15, plusMinusSeconds: 3, source: "measured" },
  },
  basis: ["queue: …"],
};

describe("parseStoredPrediction", () => {
  it("reads the stored TurnaroundPrediction", () => {
    const p = parseStoredPrediction(stored, trainer)!;
    expect(p.totalSeconds).toBe(100);
    expect(p.steps.train).toEqual({ seconds: 50, plusMinusSeconds: 5, source: "paper" });
    expect(p.steps.label).toBeUndefined();
  });
  it("returns null for missing or malformed JSON and tolerates partial steps", () => {
    expect(parseStoredPrediction(null, trainer)).toBeNull();
    expect(parseStoredPrediction({ totalSeconds: "x" }, trainer)).toBeNull();
    const partial = parseStoredPrediction({ totalSeconds: 5, steps: { train: { seconds: 5 } } }, trainer)!;
    expect(partial.steps.train.plusMinusSeconds).toBe(0);
    expect(partial.steps.queue.seconds).toBe(0);
    expect(partial.basis).toEqual([]);
  });
});

describe("actualTurnaround", () => {
  it("sums retried attempts, prefers the recorded queue wait and end-to-end", () => {
    const actual = actualTurnaround({
      steps: [
        { name: "stage_in", seconds: 12 },
        { name: "stage_in", seconds: 8 },
        { name: "train", seconds: 60 },
        { name: "queue", seconds: 99 },
        { name: "deploy", seconds: null },
      ],
      queueSeconds: 4,
      endToEndSeconds: 110,
      createdAt: new Date(0),
      endedAt: new Date(1000),
    })!;
    expect(actual).toEqual({ steps: { stageIn: 20, train: 60, queue: 4 }, totalSeconds: 110 });
    const error = predictionError(parseStoredPrediction(stored, trainer)!, actual);
    expect(error.total.errorSeconds).toBe(-10);
    expect(error.total.withinUncertainty).toBe(true);
    expect(error.steps.deploy).toBeUndefined();
    expect(error.steps.train?.relativeError).toBeCloseTo(-10 / 60);
  });
  it("falls back to endedAt − createdAt, null when unfinished", () => {
    expect(
      actualTurnaround({ steps: [], queueSeconds: null, endToEndSeconds: null, createdAt: new Date(0), endedAt: new Date(5000) })
        ?.totalSeconds,
    ).toBe(5);
    expect(actualTurnaround({ steps: [], queueSeconds: null, endToEndSeconds: null, createdAt: new Date(0), endedAt: null })).toBeNull();
  });
});
