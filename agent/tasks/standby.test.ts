import { describe, expect, it } from "vitest";
import { STANDBY_LEAD_SECONDS, standbyDue } from "@/agent/tasks/standby";

describe("standbyDue", () => {
  it("submits at once for a stage-in that the assumed rate moves within the lead", () => {
    expect(standbyDue({ totalBytes: 1_500_000, doneBytes: 0, elapsedSeconds: 0 })).toBe(true);
    expect(standbyDue({ totalBytes: 400e6, doneBytes: 0, elapsedSeconds: 0 })).toBe(true);
  });

  it("waits on a large stage-in until its remaining time at the measured rate is under the lead", () => {
    const total = 10e9;
    // 1 GB in 10 s: 100 MB/s, 90 s to go
    expect(standbyDue({ totalBytes: total, doneBytes: 1e9, elapsedSeconds: 10 })).toBe(false);
    // 9.6 GB in 96 s: 4 s to go
    expect(standbyDue({ totalBytes: total, doneBytes: 9.6e9, elapsedSeconds: 96 })).toBe(true);
  });

  it("uses the measured rate, not the assumed one, once bytes have arrived", () => {
    // 200 MB to go: due at the assumed 100 MB/s, not at the measured 10 MB/s
    expect(standbyDue({ totalBytes: 210e6, doneBytes: 10e6, elapsedSeconds: 1 })).toBe(false);
    expect(standbyDue({ totalBytes: 210e6, doneBytes: 0, elapsedSeconds: 1 })).toBe(true);
  });

  it("is due at the end of any transfer", () => {
    expect(standbyDue({ totalBytes: 50e9, doneBytes: 50e9, elapsedSeconds: 500 })).toBe(true);
    expect(standbyDue({ totalBytes: 50e9, doneBytes: 49.9e9, elapsedSeconds: 499 }, STANDBY_LEAD_SECONDS)).toBe(true);
  });
});
