import { describe, expect, it } from "vitest";
import { fitTransfer, predictTransferSeconds } from "@/lib/cost-model/fit";
import { mayFetch, probeDue, probeSizes, PROBE_RETRY_SECONDS } from "@/lib/calibration/probe-plan";

const MIB = 1024 * 1024;
const at = new Date("2026-11-30T10:00:00Z");
const ago = (seconds: number) => new Date(at.getTime() - seconds * 1000);
const versions = { edgeVersion: "0.1.0", trainerVersion: "0.1.0", recalibrateRequestedAt: null, at };
const succeeded = { createdAt: ago(3600), edgeVersion: "0.1.0", trainerVersion: "0.1.0" };

describe("probeSizes", () => {
  it("defaults to 1, 8 and 64 MiB", () => {
    expect(probeSizes(undefined)).toEqual([1 * MIB, 8 * MIB, 64 * MIB]);
    expect(probeSizes(" ")).toEqual([1 * MIB, 8 * MIB, 64 * MIB]);
  });

  it("reads MiB from the environment, sorted", () => {
    expect(probeSizes("16, 2")).toEqual([2 * MIB, 16 * MIB]);
  });

  it("refuses lists that cannot separate v from S or would take minutes", () => {
    for (const bad of ["8", "8,8", "0,8", "1.5,8", "1,2048", "1,2,3,4,5,6,7,8,9", "a,b"]) {
      expect(() => probeSizes(bad), bad).toThrow(/TRANSFER_PROBE_MIB/);
    }
  });
});

describe("probeDue", () => {
  it("is due on a route never probed", () => {
    expect(probeDue({ lastSucceeded: null, lastFailedAt: null }, versions)).toBe("no probe on this route yet");
  });

  it("is not due again at the same versions", () => {
    expect(probeDue({ lastSucceeded: succeeded, lastFailedAt: null }, versions)).toBeNull();
  });

  it("is due when either agent's version changed", () => {
    expect(probeDue({ lastSucceeded: succeeded, lastFailedAt: null }, { ...versions, edgeVersion: "0.2.0" })).toBe(
      "edge agent version 0.1.0 → 0.2.0",
    );
    expect(probeDue({ lastSucceeded: succeeded, lastFailedAt: null }, { ...versions, trainerVersion: "0.2.0" })).toBe(
      "trainer agent version 0.1.0 → 0.2.0",
    );
  });

  it("is due when staff asked after the last probe, not before it", () => {
    expect(probeDue({ lastSucceeded: succeeded, lastFailedAt: null }, { ...versions, recalibrateRequestedAt: ago(60) })).toBe(
      "requested by staff",
    );
    expect(probeDue({ lastSucceeded: succeeded, lastFailedAt: null }, { ...versions, recalibrateRequestedAt: ago(7200) })).toBeNull();
  });

  it("waits after a failed or interrupted probe, then tries again", () => {
    const history = { lastSucceeded: null, lastFailedAt: ago(PROBE_RETRY_SECONDS - 1) };
    expect(probeDue(history, versions)).toBeNull();
    expect(probeDue({ ...history, lastFailedAt: ago(PROBE_RETRY_SECONDS + 1) }, versions)).toBe("no probe on this route yet");
  });
});

describe("mayFetch", () => {
  const none = { edgeReadyAt: null, trainerReadyAt: null, edgeTicketsAt: null, trainerTicketsAt: null };

  it("lets the trainer fetch once both sides' files are written, once", () => {
    const bothReady = { ...none, edgeReadyAt: at, trainerReadyAt: at };
    expect(mayFetch("trainer", none, 0)).toBe(false);
    expect(mayFetch("trainer", { ...none, edgeReadyAt: at }, 0)).toBe(false);
    expect(mayFetch("trainer", bothReady, 0)).toBe(true);
    expect(mayFetch("trainer", { ...bothReady, trainerTicketsAt: at }, 0)).toBe(false);
  });

  it("lets the edge fetch only after every stage-in transfer ended (one direction at a time)", () => {
    const stageInIssued = { ...none, edgeReadyAt: at, trainerReadyAt: at, trainerTicketsAt: at };
    expect(mayFetch("edge", { ...none, trainerReadyAt: at }, 0)).toBe(false);
    expect(mayFetch("edge", stageInIssued, 2)).toBe(false);
    expect(mayFetch("edge", stageInIssued, 0)).toBe(true);
    expect(mayFetch("edge", { ...stageInIssued, edgeTicketsAt: at }, 0)).toBe(false);
  });
});

describe("a fit from probe transfers", () => {
  it("recovers a known v and S from the default sizes, within the noise", () => {
    const v = 400e6;
    const S = 0.03;
    // Three sizes, twice each, with ±2 % timing noise (deterministic).
    const noise = [0.02, -0.02, 0.01, -0.01, 0.015, -0.015];
    const records = [...probeSizes(undefined), ...probeSizes(undefined)].map((bytes, i) => ({
      bytes,
      files: 1,
      seconds: (bytes / v + S) * (1 + noise[i]),
    }));
    const fit = fitTransfer(records, "edge → trainer");
    expect(fit.basis.source).toBe("measured");
    expect(fit.method).toBe("ordinary-least-squares");
    expect(fit.bytesPerSecond.value / v).toBeGreaterThan(0.97);
    expect(fit.bytesPerSecond.value / v).toBeLessThan(1.03);
    expect(fit.startupSeconds.value).toBeGreaterThan(S * 0.8);
    expect(fit.startupSeconds.value).toBeLessThan(S * 1.2);
    // A 100 MB dataset is then predicted from the probe alone.
    expect(predictTransferSeconds(fit, 100e6).seconds).toBeCloseTo(100e6 / v + S, 2);
  });
});
