import { describe, expect, it } from "vitest";
import { DISPATCH_STAGES, dispatchStages, type DispatchMoments } from "./dispatch-breakdown";

const moments: DispatchMoments = {
  actionSentAt: 1_000,
  runCreatedAt: 1_040,
  stageIn: { createdAt: 1_060, leasedAt: 1_070, endedAt: 1_270 },
  transfers: [
    { seconds: 0.1, startupSeconds: 0.02 },
    { seconds: 0.05, startupSeconds: 0.01 },
  ],
  train: { createdAt: 1_290, leasedAt: 1_300 },
  trainingStartedAt: 1_350,
  firstBatchAt: 1_800,
};

describe("dispatchStages", () => {
  it("splits action → first batch into stages that add up to the whole", () => {
    const stages = dispatchStages(moments);
    expect(Object.keys(stages)).toEqual([...DISPATCH_STAGES]);
    const total = Object.values(stages).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo((moments.firstBatchAt - moments.actionSentAt) / 1000, 9);
  });

  it("charges the stage-in's transfers apart from the rest of its task", () => {
    const stages = dispatchStages(moments);
    expect(stages["stage-in transfers (S included)"]).toBeCloseTo(0.15, 9);
    expect(stages["stage-in: rest of the task (start, verify, report)"]).toBeCloseTo(0.05, 9);
    expect(stages["train task queued → claimed"]).toBeCloseTo(0.01, 9);
    expect(stages["job running → first batch (zoo)"]).toBeCloseTo(0.45, 9);
  });
});
