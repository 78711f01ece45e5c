import { describe, expect, it } from "vitest";
import { runTabTitle } from "@/lib/query/run-title";

describe("runTabTitle", () => {
  it("leads with the run's state", () => {
    expect(runTabTitle({ number: 4, status: "running" })).toBe("▶ Run #4 running · Beamline Retrain");
    expect(runTabTitle({ number: 4, status: "succeeded" })).toBe("✓ Run #4 succeeded · Beamline Retrain");
    expect(runTabTitle({ number: 9, status: "lost" })).toBe("✗ Run #9 lost · Beamline Retrain");
  });

  it("says canceling while a requested cancel has not landed yet", () => {
    expect(runTabTitle({ number: 2, status: "running", cancelRequested: true })).toBe("▶ Run #2 canceling · Beamline Retrain");
    expect(runTabTitle({ number: 2, status: "canceled", cancelRequested: true })).toBe("■ Run #2 canceled · Beamline Retrain");
  });
});
