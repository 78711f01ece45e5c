// One colour per step everywhere: the Gantt, the run page's breakdown, the turnaround bars and the prediction
// tables all read it from the step registry, in the same (run) order.
import { describe, expect, it } from "vitest";
import { STEP_ORDER } from "@/lib/flow/steps";
import { TABLE_ONE_COMPONENTS } from "@/lib/flow/breakdown";
import { layoutTimeline } from "@/lib/flow/timeline";

// Okabe & Ito (2008): eight colours told apart under protanopia, deuteranopia and tritanopia.
const OKABE_ITO = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"];

describe("step colours", () => {
  it("are distinct and all from the colour-blind-safe palette, control overhead included", () => {
    const colours = TABLE_ONE_COMPONENTS.map((c) => c.color);
    expect(colours.every((c) => c !== undefined && OKABE_ITO.includes(c.toUpperCase()))).toBe(true);
    expect(new Set(colours).size).toBe(colours.length);
  });

  it("keep the run's step order in every legend", () => {
    const stepped = TABLE_ONE_COMPONENTS.filter((c) => c.step !== undefined).map((c) => c.step);
    expect(stepped).toEqual(STEP_ORDER.map((s) => s.key));
  });

  it("are the same in the Gantt as in the breakdown", () => {
    const t0 = 1_000_000;
    const steps = STEP_ORDER.map((s, i) => ({
      name: s.name,
      attempt: 1,
      status: "succeeded" as const,
      startedAtMs: t0 + i * 1000,
      endedAtMs: t0 + i * 1000 + 900,
    }));
    const bars = layoutTimeline(steps, t0, t0 + 10_000, 600).bars;
    for (const s of STEP_ORDER) {
      const bar = bars.find((b) => b.key.startsWith(s.name));
      expect(bar?.color).toBe(TABLE_ONE_COMPONENTS.find((c) => c.step === s.key)?.color);
    }
  });
});
