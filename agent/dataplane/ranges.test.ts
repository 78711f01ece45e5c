import { describe, expect, it } from "vitest";
import { contiguousPrefix, parseContentRange, rangeHeader, splitRanges } from "./ranges";

const MIB = 1024 * 1024;

describe("splitRanges", () => {
  it("splits what is left into contiguous ranges covering it exactly", () => {
    expect(splitRanges(0, 100 * MIB, 4, 10 * MIB)).toEqual([
      { start: 0, end: 25 * MIB },
      { start: 25 * MIB, end: 50 * MIB },
      { start: 50 * MIB, end: 75 * MIB },
      { start: 75 * MIB, end: 100 * MIB },
    ]);
    const uneven = splitRanges(7, 1003, 3, 1);
    expect(uneven[0].start).toBe(7);
    expect(uneven.at(-1)!.end).toBe(1003);
    for (let i = 1; i < uneven.length; i++) expect(uneven[i].start).toBe(uneven[i - 1].end);
  });

  it("uses fewer streams when the ranges would be smaller than the minimum, and none when nothing is left", () => {
    expect(splitRanges(0, 30 * MIB, 8, 10 * MIB)).toHaveLength(3);
    expect(splitRanges(5, 100, 4, 1000)).toEqual([{ start: 5, end: 100 }]);
    expect(splitRanges(100, 100, 4, 1)).toEqual([]);
  });
});

describe("contiguousPrefix", () => {
  const ranges = [
    { start: 10, end: 20 },
    { start: 20, end: 30 },
    { start: 30, end: 40 },
  ];
  it("is whole up to the first range that is not complete", () => {
    expect(contiguousPrefix(10, ranges, [0, 10, 10])).toBe(10);
    expect(contiguousPrefix(10, ranges, [4, 10, 10])).toBe(14);
    expect(contiguousPrefix(10, ranges, [10, 3, 10])).toBe(23);
    expect(contiguousPrefix(10, ranges, [10, 10, 10])).toBe(40);
    expect(contiguousPrefix(10, [], [])).toBe(10);
  });
});

describe("Range and Content-Range", () => {
  it("writes inclusive Range headers and reads Content-Range back as a half-open range", () => {
    expect(rangeHeader({ start: 0, end: 100 })).toBe("bytes=0-99");
    expect(parseContentRange("bytes 0-99/1000")).toEqual({ start: 0, end: 100, total: 1000 });
    expect(parseContentRange("bytes 5-9/*")).toEqual({ start: 5, end: 10, total: null });
    expect(parseContentRange("bytes */1000")).toBeNull();
    expect(parseContentRange(undefined)).toBeNull();
  });
});
