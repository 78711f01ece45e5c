import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatDuration,
  formatDurationWithUncertainty,
  formatPowerOfTen,
  formatRate,
  powerOfTenTicks,
  powerOfTenDomain,
  formatCount,
} from "@/lib/cost-model/format";

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [2.44e-6, "2.44 µs"],
    [0.35e-6, "350 ns"],
    [0.28, "280 ms"],
    [0.003, "3 ms"],
    [19, "19 s"],
    [31.25, "31.3 s"],
    [1102, "18.4 min"],
    [19_003, "5.28 h"],
    [3.5 * 86_400, "3.5 d"],
    [1e9, "11574 d"],
  ])("%s s → %s", (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });

  it("moves to the next unit when rounding reaches it", () => {
    expect(formatDuration(59.999)).toBe("1 min");
    expect(formatDuration(0.99996)).toBe("1 s");
    expect(formatDuration(3599.9)).toBe("1 h");
  });

  it("handles negatives and non-finite values", () => {
    expect(formatDuration(-2)).toBe("−2 s");
    expect(formatDuration(Number.NaN)).toBe("—");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("∞");
  });

  it("formats a value with its uncertainty", () => {
    expect(formatDurationWithUncertainty(31, 4.2)).toBe("31 s ± 4.2 s");
  });
});

describe("formatBytes and formatRate", () => {
  it("uses decimal prefixes like the paper", () => {
    expect(formatBytes(242)).toBe("242 B");
    expect(formatBytes(3e6)).toBe("3 MB");
    expect(formatBytes(1_500_000_000)).toBe("1.5 GB");
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999_999)).toBe("1 MB");
    expect(formatRate(1e9)).toBe("1 GB/s");
    expect(formatRate(8.5e8)).toBe("850 MB/s");
    expect(formatRate(Number.NaN)).toBe("—");
  });
});

describe("log-axis helpers", () => {
  it("labels powers of ten with superscripts", () => {
    expect(formatPowerOfTen(1e6)).toBe("10⁶");
    expect(formatPowerOfTen(1)).toBe("10⁰");
    expect(formatPowerOfTen(1e-3)).toBe("10⁻³");
    expect(formatPowerOfTen(1e10)).toBe("10¹⁰");
    expect(formatPowerOfTen(2500)).toBe("2500");
  });

  it("lists the powers of ten covering a range", () => {
    expect(powerOfTenTicks(1e3, 1e6)).toEqual([1e3, 1e4, 1e5, 1e6]);
    expect(powerOfTenTicks(0.002, 0.5)).toEqual([1e-3, 1e-2, 1e-1, 1]);
    expect(powerOfTenTicks(0, 10)).toEqual([]);
  });
});

describe("powerOfTenDomain and formatCount", () => {
  it("rounds a domain out to powers of ten", () => {
    expect(powerOfTenDomain([0.0027, 26_880, 0, Number.NaN])).toEqual([1e-3, 1e5]);
    expect(powerOfTenDomain([])).toBeNull();
  });

  it("formats counts", () => {
    expect(formatCount(950)).toBe("950");
    expect(formatCount(12_300)).toBe("12 300");
    expect(formatCount(9_030_985.6)).toBe("9.03 × 10⁶");
    expect(formatCount(1e7)).toBe("10⁷");
  });
});
