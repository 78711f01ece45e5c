import { describe, expect, it } from "vitest";
import { isServable } from "./serve-roots";
import { parseZooLine } from "./zoo";

describe("isServable", () => {
  const roots = ["/data/edge", "/scratch/agent/"];
  it("serves files under a root only", () => {
    expect(isServable("/data/edge/datasets/a.h5", roots)).toBe(true);
    expect(isServable("/scratch/agent/store/x.pt", roots)).toBe(true);
    expect(isServable("/data/edge-other/a.h5", roots)).toBe(false);
    expect(isServable("/data/edge/../../etc/passwd", roots)).toBe(false);
    expect(isServable("/etc/passwd", roots)).toBe(false);
  });
});

describe("parseZooLine", () => {
  it("reads protocol lines and ignores everything else", () => {
    expect(parseZooLine('{"type":"epoch","epoch":1}')).toEqual({ type: "epoch", epoch: 1 });
    expect(parseZooLine("Traceback (most recent call last):")).toBeNull();
    expect(parseZooLine('{"no":"type"}')).toBeNull();
    expect(parseZooLine("{broken")).toBeNull();
  });
});
