import { describe, expect, it } from "vitest";
import { controlOverhead, stepSecondsFromRows, tableOneBreakdown } from "@/lib/flow/breakdown";

describe("controlOverhead and tableOneBreakdown", () => {
  it("is end-to-end minus step work, never negative", () => {
    expect(controlOverhead(31.4, [0.2, 7, 19, 5])).toBeCloseTo(0.2, 12);
    expect(controlOverhead(30, [7, 19, 5])).toBe(0);
  });

  it("maps steps to the paper's Table 1 columns", () => {
    const row = tableOneBreakdown({ queue: 1, stageIn: 7, train: 19, stageOut: 5, deploy: 0.5 }, { endToEndSeconds: 33 });
    expect(row).toEqual({
      queueSeconds: 1,
      dataTransferSeconds: 7,
      labellingSeconds: 0,
      trainingSeconds: 19,
      modelTransferSeconds: 5,
      deploySeconds: 0.5,
      controlOverheadSeconds: 0.5,
      endToEndSeconds: 33,
    });
  });

  it("prefers explicit queue and overhead values and sums the parts without an end-to-end", () => {
    const row = tableOneBreakdown({ queue: 9, train: 10 }, { queueSeconds: 2, controlOverheadSeconds: 0.3 });
    expect(row.queueSeconds).toBe(2);
    expect(row.endToEndSeconds).toBeCloseTo(12.3, 12);
  });

  it("adds up a retried step's attempts and skips rows without a duration", () => {
    const steps = stepSecondsFromRows([
      { name: "queue", seconds: 0.5 },
      { name: "stage_in", seconds: 2 },
      { name: "stage_in", seconds: 3 },
      { name: "train", seconds: 20 },
      { name: "stage_out", seconds: null },
    ]);
    expect(steps).toEqual({ queue: 0.5, stageIn: 5, train: 20 });
    const row = tableOneBreakdown(steps, { endToEndSeconds: 27 });
    expect(row).toMatchObject({ queueSeconds: 0.5, dataTransferSeconds: 5, trainingSeconds: 20, modelTransferSeconds: 0 });
    expect(row.controlOverheadSeconds).toBeCloseTo(1.5);
    expect(tableOneBreakdown({ train: 30 }, { endToEndSeconds: 27 }).controlOverheadSeconds).toBe(0);
  });
});
