import { describe, expect, it } from "vitest";
import { isWithin } from "./serve-roots";
import { parseZooLine } from "./zoo";

describe("isWithin", () => {
  it("is true for a root and what lies under it only", () => {
    expect(isWithin("/data/edge/datasets/a.h5", "/data/edge")).toBe(true);
    expect(isWithin("/data/edge", "/data/edge")).toBe(true);
    expect(isWithin("/data/edge/..hidden", "/data/edge")).toBe(true);
    expect(isWithin("/data/edge-other/a.h5", "/data/edge")).toBe(false);
    expect(isWithin("/data", "/data/edge")).toBe(false);
    expect(isWithin("/etc/passwd", "/data/edge")).toBe(false);
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
