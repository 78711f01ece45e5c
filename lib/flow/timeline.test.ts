import { describe, expect, it } from "vitest";
import { layoutTimeline, niceTicks } from "./timeline";

describe("layoutTimeline", () => {
  it("puts each step on its own row, scaled to the width", () => {
    const layout = layoutTimeline(
      [
        { name: "queue", attempt: 1, status: "succeeded", startedAtMs: 0, endedAtMs: 1000 },
        { name: "stage_in", attempt: 1, status: "succeeded", startedAtMs: 1000, endedAtMs: 3000 },
        { name: "train", attempt: 1, status: "running", startedAtMs: 3000, endedAtMs: null },
      ],
      0,
      10_000,
      1000,
    );
    expect(layout.rows).toBe(3);
    expect(layout.bars.map((b) => [b.row, b.x, b.width])).toEqual([
      [0, 0, 100],
      [1, 100, 200],
      [2, 300, 700],
    ]);
    expect(layout.bars[2].open).toBe(true);
    expect(layout.bars[2].seconds).toBe(7);
  });

  it("keeps retries on the step's row and never draws a bar thinner than 2 px or past the edge", () => {
    const layout = layoutTimeline(
      [
        { name: "train", attempt: 1, status: "failed", startedAtMs: 0, endedAtMs: 1 },
        { name: "train", attempt: 2, status: "succeeded", startedAtMs: 5000, endedAtMs: 10_000 },
      ],
      0,
      10_000,
      500,
    );
    expect(layout.rows).toBe(1);
    expect(layout.bars.every((b) => b.row === 0)).toBe(true);
    expect(layout.bars[0].width).toBe(2);
    expect(layout.bars[1].label).toContain("#2");
    expect(layout.bars[1].x + layout.bars[1].width).toBeLessThanOrEqual(500);
  });

  it("ignores steps that have not started", () => {
    const layout = layoutTimeline([{ name: "deploy", attempt: 1, status: "pending", startedAtMs: null, endedAtMs: null }], 0, 1000, 100);
    expect(layout.bars).toEqual([]);
  });
});

describe("niceTicks", () => {
  it("uses round steps", () => {
    expect(niceTicks(10, 100).map((t) => t.label)).toEqual(["0 s", "2 s", "4 s", "6 s", "8 s", "10 s"]);
    expect(niceTicks(0, 100)).toEqual([]);
  });
});
