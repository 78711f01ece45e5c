import { describe, expect, it } from "vitest";
import {
  fitLineNonNegative,
  median,
  predictionStandardError,
  quadratureSum,
  quantile,
  robustStandardDeviation,
} from "@/lib/cost-model/stats";

describe("quantiles", () => {
  it("interpolates linearly and ignores non-finite values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 12);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNull();
  });

  it("robust spread ignores one outlier", () => {
    expect(robustStandardDeviation([1, 1, 1, 1, 100])).toBe(0);
    expect(robustStandardDeviation([1, 2, 3])).toBeCloseTo(1.4826, 12);
  });

  it("adds in quadrature", () => {
    expect(quadratureSum([3, 4])).toBe(5);
  });
});

describe("fitLineNonNegative", () => {
  it("recovers an exact line", () => {
    const fit = fitLineNonNegative([1, 2, 3, 4].map((x) => ({ x, y: 2 * x + 1 })));
    expect(fit?.method).toBe("ordinary-least-squares");
    expect(fit?.slope).toBeCloseTo(2, 12);
    expect(fit?.intercept).toBeCloseTo(1, 12);
    expect(fit?.rSquared).toBe(1);
    expect(fit?.slopeStandardError).toBeCloseTo(0, 12);
  });

  it("matches textbook standard errors", () => {
    // x = 1..5, y = 1, 3, 2, 5, 4: slope 0.8, intercept 0.6, SSE 3.6, s² = 1.2, Sxx = 10.
    const fit = fitLineNonNegative([1, 3, 2, 5, 4].map((y, i) => ({ x: i + 1, y })));
    expect(fit?.slope).toBeCloseTo(0.8, 12);
    expect(fit?.intercept).toBeCloseTo(0.6, 12);
    expect(fit?.residualVariance).toBeCloseTo(1.2, 12);
    expect(fit?.slopeStandardError).toBeCloseTo(Math.sqrt(0.12), 12);
    expect(fit?.interceptStandardError).toBeCloseTo(Math.sqrt(1.2 * (1 / 5 + 9 / 10)), 12);
    expect(fit?.rSquared).toBeCloseTo(0.64, 12);
    // New observation at x̄ = 3: s²·(1 + 1/5).
    expect(predictionStandardError(fit!, 3)).toBeCloseTo(Math.sqrt(1.2 * 1.2), 12);
  });

  it("refits through the origin when the intercept would be negative", () => {
    const fit = fitLineNonNegative([
      { x: 1, y: 0.5 },
      { x: 2, y: 2 },
      { x: 3, y: 3.5 },
    ]);
    expect(fit?.method).toBe("through-origin");
    expect(fit?.intercept).toBe(0);
    // Σxy / Σx² = (0.5 + 4 + 10.5) / 14.
    expect(fit?.slope).toBeCloseTo(15 / 14, 12);
  });

  it("falls back to a ratio for one point, equal x, or a non-positive slope", () => {
    expect(fitLineNonNegative([{ x: 4, y: 2 }])?.method).toBe("ratio");
    const equal = fitLineNonNegative([
      { x: 4, y: 2 },
      { x: 4, y: 4 },
    ]);
    expect(equal?.method).toBe("ratio");
    expect(equal?.slope).toBeCloseTo(0.75, 12);
    const falling = fitLineNonNegative([
      { x: 1, y: 3 },
      { x: 2, y: 1 },
    ]);
    expect(falling?.method).toBe("ratio");
    expect(falling?.slope).toBeCloseTo(4 / 3, 12);
  });

  it("estimates only an intercept when every x is zero, and nothing from no points", () => {
    const fit = fitLineNonNegative([
      { x: 0, y: 1 },
      { x: 0, y: 3 },
    ]);
    expect(fit?.method).toBe("intercept-only");
    expect(fit?.intercept).toBe(2);
    expect(fitLineNonNegative([])).toBeNull();
    expect(fitLineNonNegative([{ x: Number.NaN, y: 1 }])).toBeNull();
  });
});
