import { describe, expect, it } from "vitest";
import { DRIFT_CHART_BOX, driftChartLayout, niceStep, type DriftPoint } from "@/lib/drift/chart-layout";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 29, 12, minute)).toISOString();
const point = (versionId: string, minute: number, value: number): DriftPoint => ({
  versionId,
  versionLabel: `BraggNN ${versionId}`,
  datasetName: `scan-${minute}`,
  at: at(minute),
  value,
});
const box = DRIFT_CHART_BOX;
const bottom = box.height - box.bottom;

describe("niceStep", () => {
  it("rounds to 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(1.98)).toBe(0.5);
    expect(niceStep(0.09)).toBeCloseTo(0.05);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(40)).toBe(10);
  });
});

describe("driftChartLayout", () => {
  const layout = driftChartLayout([point("v1", 0, 0.3), point("v1", 20, 1.8), point("v1", 10, 0.5), point("v2", 40, 0.4)], 0.75, [
    { versionId: "v1", versionLabel: "v1", deployedAt: at(0) },
    { versionId: "v2", versionLabel: "v2", deployedAt: at(30) },
  ]);

  it("draws one series per version in time order across the plot's width", () => {
    expect(layout.series.map((s) => s.versionId)).toEqual(["v1", "v2"]);
    const [v1, v2] = layout.series;
    expect(v1.points.map((p) => p.point.datasetName)).toEqual(["scan-0", "scan-10", "scan-20"]);
    expect(v1.points[0].x).toBe(box.left);
    expect(v2.points[0].x).toBe(box.width - box.right);
    expect(v1.path).toBe(v1.points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" "));
  });

  it("puts 0 at the bottom, higher errors higher, and the threshold where its value lies", () => {
    const [v1] = layout.series;
    expect(v1.points[2].y).toBeLessThan(v1.points[1].y);
    expect(layout.yTicks[0]).toEqual({ y: bottom, label: "0.0" });
    // y axis to 2.0 in steps of 0.5 (1.8 × 1.1 rounded up)
    expect(layout.yTicks.map((t) => t.label)).toEqual(["0.0", "0.5", "1.0", "1.5", "2.0"]);
    const perUnit = (bottom - box.top) / 2;
    expect(layout.thresholdY).toBeCloseTo(bottom - 0.75 * perUnit, 0);
  });

  it("marks each version's deployment at its time", () => {
    expect(layout.marks).toEqual([
      { x: box.left, label: "v1" },
      { x: box.left + (30 / 40) * (box.width - box.left - box.right), label: "v2" },
    ]);
    expect(layout.xTicks.map((t) => t.label)).toEqual(["12:00", "12:20", "12:40"]);
  });

  it("centres a single point and keeps the threshold on the axis when all errors are under it", () => {
    const one = driftChartLayout([point("v1", 5, 0.1)], 0.75, []);
    expect(one.series[0].points[0].x).toBe(box.left + (box.width - box.left - box.right) / 2);
    expect(one.thresholdY).toBeGreaterThanOrEqual(box.top);
    expect(one.yTicks.at(-1)!.label).toBe("1.0");
  });
});
