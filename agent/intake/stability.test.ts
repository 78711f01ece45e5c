import { describe, expect, it } from "vitest";
import { advanceScan, type Observation, type Tracked } from "@/agent/intake/stability";

/** Runs scans in order, returning what was closed at each. */
function closedPerScan(scans: Record<string, Observation>[]): string[][] {
  let tracked = new Map<string, Tracked>();
  return scans.map((scan) => {
    const step = advanceScan(tracked, new Map(Object.entries(scan)));
    tracked = step.tracked;
    return step.closed;
  });
}

describe("advanceScan", () => {
  it("closes a file once its size and mtime are unchanged over two consecutive scans, and only once", () => {
    const a = { size: 10, mtimeMs: 1 };
    expect(closedPerScan([{ "/r/a.h5": a }, { "/r/a.h5": a }, { "/r/a.h5": a }])).toEqual([[], ["/r/a.h5"], []]);
  });

  it("waits while a file grows or is touched", () => {
    expect(
      closedPerScan([
        { "/r/a.h5": { size: 10, mtimeMs: 1 } },
        { "/r/a.h5": { size: 20, mtimeMs: 2 } },
        { "/r/a.h5": { size: 20, mtimeMs: 3 } },
        { "/r/a.h5": { size: 20, mtimeMs: 3 } },
      ]),
    ).toEqual([[], [], [], ["/r/a.h5"]]);
  });

  it("closes a file again after it is rewritten and settles", () => {
    const v1 = { size: 10, mtimeMs: 1 };
    const v2 = { size: 12, mtimeMs: 5 };
    expect(closedPerScan([{ f: v1 }, { f: v1 }, { f: v2 }, { f: v2 }])).toEqual([[], ["f"], [], ["f"]]);
  });

  it("forgets a file that disappears: it starts over when it comes back", () => {
    const v = { size: 10, mtimeMs: 1 };
    expect(closedPerScan([{ f: v }, {}, { f: v }, { f: v }])).toEqual([[], [], [], ["f"]]);
  });
});
