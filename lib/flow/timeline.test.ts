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

describe("layoutTimeline with clocks that disagree", () => {
  it("never draws a negative or overflowing bar when a step started after this browser's now", () => {
    const layout = layoutTimeline(
      [
        { name: "queue", attempt: 1, status: "succeeded", startedAtMs: 0, endedAtMs: 500 },
        { name: "stage_in", attempt: 1, status: "running", startedAtMs: 12_000, endedAtMs: null },
      ],
      0,
      10_000,
      600,
    );
    for (const bar of layout.bars) {
      expect(bar.width).toBeGreaterThanOrEqual(0);
      expect(bar.x + bar.width).toBeLessThanOrEqual(600);
    }
    expect(layout.spanSeconds).toBe(12);
  });
});

describe("layoutTimeline with a step added in a fixture", () => {
  it("lays out a step that only the fixture's registry declares, in its order and colour", async () => {
    const { STEP_ORDER } = await import("@/lib/flow/steps");
    const calibrate = { ...STEP_ORDER[0], name: "calibrate" as never, label: "Calibrate", color: "#123456" };
    const registry = [STEP_ORDER[0], calibrate, ...STEP_ORDER.slice(1)];
    const layout = layoutTimeline(
      [
        { name: "queue", attempt: 1, status: "succeeded", startedAtMs: 0, endedAtMs: 100 },
        { name: "calibrate" as never, attempt: 1, status: "succeeded", startedAtMs: 100, endedAtMs: 300 },
        { name: "train", attempt: 1, status: "running", startedAtMs: 300, endedAtMs: null },
      ],
      0,
      1000,
      1000,
      registry,
    );
    expect(layout.bars.map((b) => [b.row, b.label, b.color])).toEqual([
      [0, "Queue", STEP_ORDER[0].color],
      [1, "Calibrate", "#123456"],
      [2, "Train", STEP_ORDER[3].color],
    ]);
  });
});
