import { describe, expect, it } from "vitest";
import {
  FEW_POINTS_RELATIVE_UNCERTAINTY,
  PAPER_DEFAULT_RELATIVE_UNCERTAINTY,
  fitAnalysisCost,
  fitEstimateCost,
  fitTransfer,
  predictTransferSeconds,
} from "@/lib/cost-model/fit";

const ROUTE = "edge-1 → polaris";

describe("fitTransfer", () => {
  it("falls back to the paper's 1 GB/s with no records", () => {
    const fit = fitTransfer([], ROUTE);
    expect(fit.basis.source).toBe("paper");
    expect(fit.basis.points).toBe(0);
    expect(fit.basis.note).toBe(`paper default: no transfers recorded for ${ROUTE}, so 1 GB/s and no start-up are assumed.`);
    expect(fit.bytesPerSecond.value).toBe(1e9);
    expect(fit.startupSeconds.value).toBe(0);
    const prediction = predictTransferSeconds(fit, 3e6);
    expect(prediction.seconds).toBeCloseTo(0.003, 12);
    expect(prediction.plusMinusSeconds).toBeCloseTo(0.003 * PAPER_DEFAULT_RELATIVE_UNCERTAINTY, 12);
  });

  it("recovers rate and start-up from noiseless transfers", () => {
    const v = 5e8;
    const S = 0.2;
    const records = [1e8, 5e8, 2e9, 4e9].map((bytes) => ({
      bytes,
      files: 10,
      seconds: bytes / v + S,
    }));
    const fit = fitTransfer(records, ROUTE);
    expect(fit.method).toBe("ordinary-least-squares");
    expect(fit.bytesPerSecond.value).toBeCloseTo(v, 0);
    expect(fit.startupSeconds.value).toBeCloseTo(S, 9);
    expect(fit.basis).toMatchObject({
      source: "measured",
      points: 4,
      quality: { metric: "r2", value: 1 },
    });
    expect(predictTransferSeconds(fit, 1e9).seconds).toBeCloseTo(2.2, 9);
  });

  it("gives a prediction uncertainty that grows away from the data", () => {
    const records = [
      { bytes: 1e9, files: 1, seconds: 1.3 },
      { bytes: 2e9, files: 1, seconds: 2.1 },
      { bytes: 3e9, files: 1, seconds: 3.4 },
      { bytes: 4e9, files: 1, seconds: 4.2 },
    ];
    const fit = fitTransfer(records, ROUTE);
    const near = predictTransferSeconds(fit, 2.5e9).plusMinusSeconds;
    const far = predictTransferSeconds(fit, 40e9).plusMinusSeconds;
    expect(near).toBeGreaterThan(0);
    expect(far).toBeGreaterThan(near);
    expect(fit.bytesPerSecond.uncertainty).toBeGreaterThan(0);
  });

  it("uses one transfer as a rate with S = 0 and says so", () => {
    const fit = fitTransfer([{ bytes: 2e9, files: 3, seconds: 4 }], ROUTE);
    expect(fit.bytesPerSecond.value).toBeCloseTo(5e8, 3);
    expect(fit.startupSeconds.value).toBe(0);
    expect(fit.basis.points).toBe(1);
    expect(fit.basis.note).toMatch(/one transfer recorded for edge-1 → polaris/);
    expect(predictTransferSeconds(fit, 2e9).plusMinusSeconds).toBeCloseTo(4 * FEW_POINTS_RELATIVE_UNCERTAINTY, 12);
  });

  it("handles transfers that all moved the same size", () => {
    const fit = fitTransfer(
      [
        { bytes: 1e9, files: 1, seconds: 2 },
        { bytes: 1e9, files: 1, seconds: 3 },
      ],
      ROUTE,
    );
    expect(fit.method).toBe("ratio");
    expect(fit.bytesPerSecond.value).toBeCloseTo(4e8, 3);
    expect(fit.startupSeconds.value).toBe(0);
    expect(fit.basis.note).toMatch(/same size/);
  });

  it("clamps a negative start-up to zero", () => {
    const fit = fitTransfer(
      [
        { bytes: 1e9, files: 1, seconds: 0.5 },
        { bytes: 2e9, files: 1, seconds: 2 },
        { bytes: 3e9, files: 1, seconds: 3.5 },
      ],
      ROUTE,
    );
    expect(fit.method).toBe("through-origin");
    expect(fit.startupSeconds.value).toBe(0);
    expect(fit.bytesPerSecond.value).toBeCloseTo(14e9 / 15, 0);
    expect(fit.basis.note).toMatch(/negative start-up/);
  });

  it("ignores invalid records and handles empty transfers", () => {
    const fit = fitTransfer(
      [
        { bytes: 0, files: 0, seconds: 0.1 },
        { bytes: 0, files: 0, seconds: 0.3 },
        { bytes: -5, files: 0, seconds: 1 },
        { bytes: 1, files: 0, seconds: Number.NaN },
      ],
      ROUTE,
    );
    expect(fit.method).toBe("intercept-only");
    expect(fit.basis.points).toBe(2);
    expect(fit.startupSeconds.value).toBeCloseTo(0.2, 12);
    expect(fit.bytesPerSecond.value).toBe(1e9);
  });
});

describe("per-datum costs", () => {
  it("falls back to the paper's C(E) and C(A)", () => {
    const estimate = fitEstimateCost([], "BraggNN on edge-1");
    expect(estimate.secondsPerDatum.value).toBeCloseTo(0.35e-6, 15);
    expect(estimate.basis.source).toBe("paper");
    expect(estimate.basis.note).toMatch(/C\(E\) = 0.35 µs/);
    expect(fitAnalysisCost([], "pseudo-Voigt").secondsPerDatum.value).toBeCloseTo(2.44e-6, 15);
  });

  it("takes the median and a robust spread", () => {
    const fit = fitEstimateCost(
      [{ secondsPerDatum: 1e-6 }, { secondsPerDatum: 2e-6 }, { secondsPerDatum: 3e-6 }, { secondsPerDatum: 50e-6 }],
      "BraggNN on edge-1",
    );
    expect(fit.secondsPerDatum.value).toBeCloseTo(2.5e-6, 15);
    // |x − 2.5| = 1.5, 0.5, 0.5, 47.5 (µs) → MAD 1 µs → σ ≈ 1.4826 µs.
    expect(fit.secondsPerDatum.uncertainty).toBeCloseTo(1.4826e-6, 15);
    expect(fit.basis.quality).toEqual({
      metric: "relative-spread",
      value: expect.closeTo(1.4826 / 2.5, 9),
    });
    expect(fit.basis.points).toBe(4);
  });

  it("assumes a relative uncertainty for one benchmark", () => {
    const fit = fitAnalysisCost([{ secondsPerDatum: 4e-6 }], "pseudo-Voigt");
    expect(fit.secondsPerDatum.uncertainty).toBeCloseTo(1e-6, 15);
    expect(fit.basis.quality.value).toBeNull();
  });
});
