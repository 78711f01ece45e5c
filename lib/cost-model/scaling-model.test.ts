import { describe, expect, it } from "vitest";
import {
  effectiveParameters,
  fitScalingModel,
  nonNegativeLeastSquares,
  predictScaling,
  studentT90,
  type ScalingPrior,
} from "@/lib/cost-model/scaling-model";

const FEATURES = ["start-up", "epochs × train samples", "epochs × validation samples"];
// Known truth: 3 s start-up, 2 ms per training sample, 0.25 ms per validation sample.
const TRUTH = [3, 0.002, 0.00025];

// Deterministic pseudo-random noise so the test is repeatable.
function noise(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
}

function workloads() {
  const runs: number[][] = [];
  for (const epochs of [1, 2, 4, 8, 16])
    for (const samples of [1000, 4000, 12000]) runs.push([1, epochs * samples * 0.8, epochs * samples * 0.2 + samples * 0.05]);
  return runs;
}

const vaguePrior: ScalingPrior = {
  coefficients: [
    { mean: 1, sd: 100 },
    { mean: 0.01, sd: 1 },
    { mean: 0.001, sd: 1 },
  ],
  relativeScatter: 0.5,
  source: "paper",
  note: "a vague prior",
};

describe("nonNegativeLeastSquares", () => {
  it("solves an exact system and clamps a coefficient that would be negative", () => {
    expect(
      nonNegativeLeastSquares(
        [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
        [2, 3, 5],
      ),
    ).toEqual([expect.closeTo(2, 9), expect.closeTo(3, 9)]);
    // y = 4 − x fits best with a negative slope: NNLS keeps the slope at 0 and the intercept at the mean.
    const beta = nonNegativeLeastSquares(
      [
        [1, 0],
        [1, 1],
        [1, 2],
      ],
      [4, 3, 2],
    );
    expect(beta[1]).toBe(0);
    expect(beta[0]).toBeCloseTo(3, 9);
  });
});

describe("fitScalingModel", () => {
  it("recovers known start-up and throughputs from noisy synthetic runs", () => {
    const rand = noise(7);
    const observations = workloads().map((x) => ({
      features: x,
      seconds: x.reduce((s, v, j) => s + v * TRUTH[j], 0) * (1 + 0.04 * rand()),
    }));
    const fit = fitScalingModel(FEATURES, observations, vaguePrior, "synthetic");
    expect(fit.coefficients[0]).toBeCloseTo(3, 0);
    expect(fit.coefficients[1] / TRUTH[1]).toBeGreaterThan(0.95);
    expect(fit.coefficients[1] / TRUTH[1]).toBeLessThan(1.05);
    expect(fit.runs).toBe(15);
    expect(fit.source).toBe("runs");
    // The residual scatter (±2 % uniform ≈ 1.2 % rms) pulls the pooled scatter well below the prior's 50 %.
    expect(fit.relativeScatter).toBeLessThan(0.25);
  });

  it("predicts from the prior alone with a wide interval, and narrows as runs agree with it", () => {
    const prior: ScalingPrior = {
      coefficients: TRUTH.map((mean) => ({ mean, sd: mean * 0.3 })),
      relativeScatter: 0.3,
      source: "calibration",
      note: "a calibration",
    };
    const x = [1, 8 * 4000, 8 * 1000];
    const truth = x.reduce((s, v, j) => s + v * TRUTH[j], 0);
    const before = predictScaling(fitScalingModel(FEATURES, [], prior, "s"), x);
    expect(before.seconds).toBeCloseTo(truth, 6);
    expect(before.plusMinusSeconds / before.seconds).toBeCloseTo(studentT90(3) * 0.3, 6);
    const runs = workloads().map((f) => ({ features: f, seconds: f.reduce((s, v, j) => s + v * TRUTH[j], 0) }));
    const after = predictScaling(fitScalingModel(FEATURES, runs, prior, "s"), x);
    expect(after.seconds).toBeCloseTo(truth, 3);
    expect(after.plusMinusSeconds).toBeLessThan(before.plusMinusSeconds / 2);
  });

  it("separates a start-up from throughput: doubling the work does not double the time", () => {
    const runs = [1000, 2000, 4000].map((samples) => ({ features: [1, samples, 0], seconds: 5 + samples * 0.001 }));
    const fit = fitScalingModel(FEATURES, runs, vaguePrior, "s");
    expect(fit.coefficients[0]).toBeCloseTo(5, 2);
    expect(predictScaling(fit, [1, 8000, 0]).seconds).toBeCloseTo(13, 2);
  });

  it("widens the interval away from the runs it was fitted to", () => {
    const rand = noise(3);
    const runs = [1000, 1500, 2000, 2500].map((samples) => ({
      features: [1, samples, 0],
      seconds: (2 + samples * 0.001) * (1 + 0.2 * rand()),
    }));
    const fit = fitScalingModel(FEATURES, runs, vaguePrior, "s");
    const near = predictScaling(fit, [1, 1800, 0]);
    const far = predictScaling(fit, [1, 40_000, 0]);
    expect(far.plusMinusSeconds / far.seconds).toBeGreaterThan(near.plusMinusSeconds / near.seconds);
  });

  it("keeps a feature the runs never varied at its prior", () => {
    const prior: ScalingPrior = {
      ...vaguePrior,
      coefficients: [
        { mean: 2, sd: 1 },
        { mean: 0.001, sd: 0.001 },
        { mean: 0.0005, sd: 0.0001 },
      ],
    };
    const runs = [1000, 3000].map((s) => ({ features: [1, s, 0], seconds: 2 + s * 0.001 }));
    expect(fitScalingModel(FEATURES, runs, prior, "s").coefficients[2]).toBeCloseTo(0.0005, 6);
  });

  it("ignores unusable observations and says where its numbers come from", () => {
    const fit = fitScalingModel(
      FEATURES,
      [
        { features: [1, NaN, 0], seconds: 3 },
        { features: [1, 1, 1], seconds: 0 },
      ],
      vaguePrior,
      "BraggNN on x",
    );
    expect(fit.runs).toBe(0);
    expect(fit.source).toBe("paper");
    expect(fit.note).toBe("BraggNN on x: no runs yet, from a vague prior");
  });
});

describe("effectiveParameters", () => {
  const rows = [
    [1, 1000],
    [1, 2000],
    [1, 4000],
  ];
  it("counts every coefficient when the runs alone decide, none when the prior does", () => {
    expect(effectiveParameters(rows, [0, 0])).toBeCloseTo(2, 9);
    expect(effectiveParameters(rows, [1e12, 1e12])).toBeLessThan(0.01);
    expect(effectiveParameters([], [1, 1])).toBe(0);
  });
});

describe("studentT90", () => {
  it("matches the table and tends to the normal quantile", () => {
    expect(studentT90(1)).toBeCloseTo(3.078, 3);
    expect(studentT90(10)).toBeCloseTo(1.372, 3);
    expect(studentT90(1000)).toBeCloseTo(1.2816, 4);
  });
});
