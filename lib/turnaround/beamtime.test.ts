import { describe, expect, it } from "vitest";
import { beamtimeLabel, beamtimeOfRun } from "./beamtime";
import { medianTurnaroundPerBeamtime, type TurnaroundRun } from "@/lib/cost-model/turnaround";

const window = { beamline: "1-ID", beamtimeStart: new Date("2026-03-01T00:00:00Z"), beamtimeEnd: new Date("2026-03-05T00:00:00Z") };

describe("beamtimeOfRun", () => {
  it("labels runs inside the window, the whole last day included", () => {
    expect(beamtimeLabel(window)).toBe("1-ID · 2026-03-01 → 2026-03-05");
    expect(beamtimeOfRun(window, new Date("2026-03-01T00:00:00Z"))).toBe("1-ID · 2026-03-01 → 2026-03-05");
    expect(beamtimeOfRun(window, new Date("2026-03-05T23:59:00Z"))).not.toBeNull();
  });
  it("returns null outside the window", () => {
    expect(beamtimeOfRun(window, new Date("2026-02-28T23:59:59Z"))).toBeNull();
    expect(beamtimeOfRun(window, new Date("2026-03-06T00:00:00Z"))).toBeNull();
    expect(beamtimeOfRun(window, new Date("invalid"))).toBeNull();
  });
  it("keeps an exact end time exclusive of later instants when not at midnight", () => {
    const w = { ...window, beamtimeEnd: new Date("2026-03-05T12:00:00Z") };
    expect(beamtimeOfRun(w, new Date("2026-03-05T12:00:01Z"))).toBeNull();
  });
  it("groups runs of experiments sharing a window into one beamtime", () => {
    const run = (id: string, experimentId: string, at: string, seconds: number): TurnaroundRun => ({
      id,
      experimentId,
      experimentName: experimentId,
      beamtimeLabel: beamtimeOfRun(window, new Date(at)),
      trainerId: "t",
      trainerName: "t",
      status: "succeeded",
      startedAt: at,
      endedAt: null,
      endToEndSeconds: seconds,
      stepSeconds: {},
      queueSeconds: 0,
      controlOverheadSeconds: 0,
    });
    const groups = medianTurnaroundPerBeamtime([
      run("a", "e1", "2026-03-02T00:00:00Z", 10),
      run("b", "e2", "2026-03-03T00:00:00Z", 30),
      run("c", "e1", "2026-04-01T00:00:00Z", 99),
    ]);
    expect(groups).toEqual([
      { key: "(no beamtime)", label: "(no beamtime)", runs: 1, retrains: 1, medianEndToEndSeconds: 99 },
      { key: "1-ID · 2026-03-01 → 2026-03-05", label: "1-ID · 2026-03-01 → 2026-03-05", runs: 2, retrains: 2, medianEndToEndSeconds: 20 },
    ]);
  });
});
