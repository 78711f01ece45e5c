import { describe, expect, it } from "vitest";
import {
  PAPER_PARAMETERS,
  PAPER_PHYSICAL_QUANTITIES,
  batchMicrosecondsPerDatum,
  breakEvenN,
  conventionalMicroseconds,
  costAt,
  costCurve,
  derivePaperParameters,
  parallelComputeMicrosecondsPerDatum,
  patchBytes,
  surrogateMicroseconds,
  transferMicroseconds,
  type CostModelParameters,
} from "@/lib/cost-model/paper";

describe("per-datum costs derived from the paper's physical quantities", () => {
  const derived = derivePaperParameters();

  it("C(ex→dc) = 0.24 µs: an 11×11 16-bit patch is 242 B, at 1 GB/s that is 0.242 µs", () => {
    expect(patchBytes(11, 11, 16)).toBe(242);
    expect(derived.transferInMicrosecondsPerDatum).toBeCloseTo(0.242, 12);
    expect(Number(derived.transferInMicrosecondsPerDatum.toFixed(2))).toBe(0.24);
  });

  it("C(A_dc) = 2.44 µs: 2000 core·s / 1024 cores / 800 000 peaks = 2.4414 µs", () => {
    expect(parallelComputeMicrosecondsPerDatum(2000, 800_000, 1024)).toBeCloseTo(2.44140625, 10);
    expect(Number(derived.analysisMicrosecondsPerDatum.toFixed(2))).toBe(2.44);
  });

  it("C(E) = 0.35 µs: BraggNN processes 800 000 peaks in 280 ms, 0.28 s / 800 000 = 0.35 µs", () => {
    expect(batchMicrosecondsPerDatum(0.28, 800_000)).toBeCloseTo(0.35, 12);
    expect(derived.estimateMicrosecondsPerDatum).toBeCloseTo(0.35, 12);
  });

  it("labels back 8 B → 0.008 µs, model 3 MB → 3000 µs, C(T) 19 s → 19·10⁶ µs at 1 GB/s", () => {
    expect(derived.resultReturnMicrosecondsPerDatum).toBeCloseTo(8e-3, 12);
    expect(derived.modelTransferMicroseconds).toBeCloseTo(3000, 9);
    expect(derived.trainingMicroseconds).toBe(19e6);
    expect(derived.labelledFraction).toBe(0.1);
    expect(transferMicroseconds(PAPER_PHYSICAL_QUANTITIES.modelBytes, 1e9)).toBeCloseTo(3000, 9);
  });
});

describe("eqs. 4 and 5", () => {
  it("f_c(N) = N·(0.24 + 2.44 + 0.008) µs", () => {
    expect(conventionalMicroseconds(1e6, PAPER_PARAMETERS)).toBeCloseTo(2.688e6, 6);
  });

  it("f_ml(N) = 0.1·N·2.688 + 19·10⁶ + 3000 + 0.9·N·0.35 µs", () => {
    // N = 10⁶: 268 800 + 19 003 000 + 315 000 = 19 586 800 µs.
    expect(surrogateMicroseconds(1e6, PAPER_PARAMETERS)).toBeCloseTo(19_586_800, 4);
  });
});

describe("break-even N", () => {
  it("reproduces the paper's BraggNN example", () => {
    // By hand: c = 0.24 + 2.44 + 0.008 = 2.688 µs, C(E) = 0.35 µs, p = 0.1, F = 19·10⁶ + 3000 = 19 003 000 µs.
    // N·c = 0.1·N·c + F + 0.9·N·0.35  ⇔  N = F / (0.9·(2.688 − 0.35)) = 19 003 000 / 2.1042 ≈ 9 030 986.
    // At N*, both paths take 2.688 µs × 9 030 986 ≈ 24.3 s. Fig. 4's crossing sits just below 10⁷ peaks.
    const n = breakEvenN(PAPER_PARAMETERS);
    expect(n).not.toBeNull();
    expect(n).toBeCloseTo(9_030_985.65, 1);
    const at = costAt(n ?? 0, PAPER_PARAMETERS);
    expect(at.conventionalSeconds).toBeCloseTo(at.mlSeconds, 6);
    expect(at.conventionalSeconds).toBeCloseTo(24.275, 2);
  });

  it("is ≈ 9.02·10⁶ with the unrounded derived costs", () => {
    // 19 003 000 / (0.9·(2.69140625 − 0.35)) = 19 003 000 / 2.107265625 ≈ 9 017 847.
    expect(breakEvenN(derivePaperParameters())).toBeCloseTo(9_017_847.48, 1);
  });

  it("conventional wins below N*, ML wins above", () => {
    const n = breakEvenN(PAPER_PARAMETERS) ?? 0;
    expect(conventionalMicroseconds(n / 2, PAPER_PARAMETERS)).toBeLessThan(surrogateMicroseconds(n / 2, PAPER_PARAMETERS));
    expect(conventionalMicroseconds(n * 2, PAPER_PARAMETERS)).toBeGreaterThan(surrogateMicroseconds(n * 2, PAPER_PARAMETERS));
  });

  it("is null when estimating is not cheaper than the conventional path", () => {
    const slowEstimate: CostModelParameters = {
      ...PAPER_PARAMETERS,
      estimateMicrosecondsPerDatum: 3,
    };
    expect(breakEvenN(slowEstimate)).toBeNull();
    expect(breakEvenN({ ...PAPER_PARAMETERS, labelledFraction: 1 })).toBeNull();
  });

  it("is 0 when the ML path has no fixed cost", () => {
    expect(
      breakEvenN({
        ...PAPER_PARAMETERS,
        trainingMicroseconds: 0,
        modelTransferMicroseconds: 0,
      }),
    ).toBe(0);
  });
});

describe("costCurve", () => {
  it("spans 10³…10¹⁰ log-spaced with 10 points per decade by default", () => {
    const points = costCurve(PAPER_PARAMETERS);
    expect(points).toHaveLength(71);
    expect(points[0].n).toBe(1e3);
    expect(points[70].n).toBe(1e10);
    expect(points[10].n).toBeCloseTo(1e4, 6);
    for (let i = 1; i < points.length; i++) expect(points[i].n / points[i - 1].n).toBeCloseTo(10 ** 0.1, 9);
  });

  it("reports seconds for both curves", () => {
    const [first] = costCurve(PAPER_PARAMETERS, {
      minN: 1e6,
      maxN: 1e7,
      pointsPerDecade: 1,
    });
    expect(first.conventionalSeconds).toBeCloseTo(2.688, 9);
    expect(first.mlSeconds).toBeCloseTo(19.5868, 9);
  });

  it("rejects an empty or inverted range", () => {
    expect(() => costCurve(PAPER_PARAMETERS, { minN: 0 })).toThrow(RangeError);
    expect(() => costCurve(PAPER_PARAMETERS, { minN: 1e6, maxN: 1e3 })).toThrow(RangeError);
  });
});
