import { describe, expect, it } from "vitest";
import { fineTuneBatchSize, rankingFor, recommendedStart, type ReuseEvidence } from "@/lib/drift/start";

const reuse: ReuseEvidence = {
  candidates: [
    { id: "v1", label: "v1", familyKey: "braggnn", createdAt: "2026-11-01T00:00:00Z" },
    { id: "v2", label: "v2", familyKey: "braggnn", createdAt: "2026-11-02T00:00:00Z" },
    { id: "c1", label: "c1", familyKey: "cookienetae", createdAt: "2026-11-03T00:00:00Z" },
  ],
  errors: [
    { versionId: "v1", datasetId: "scan-4", value: 0.4 },
    { versionId: "v2", datasetId: "scan-4", value: 0.6 },
  ],
  epochs: { braggnn: { epochs: 5, source: "fine-tunes", basis: "" } },
};
const scan4 = { id: "scan-4", familyKey: "braggnn", sampleCount: 600 };
const defaults = { epochs: 8, batchSize: 256 };

describe("fineTuneBatchSize", () => {
  it("halves the family's batch until an epoch has enough steps", () => {
    expect(fineTuneBatchSize(600, 256)).toBe(32); // 480 trained: 15 steps
    expect(fineTuneBatchSize(12_000, 256)).toBe(256);
    expect(fineTuneBatchSize(3_000, 256)).toBe(128); // 2,400 trained: 18 steps
  });
  it("never goes under 16 nor over the family's batch", () => {
    expect(fineTuneBatchSize(20, 256)).toBe(16);
    expect(fineTuneBatchSize(20, 8)).toBe(8);
  });
});

describe("recommendedStart", () => {
  it("starts from the version measured closest to the dataset, with the predicted epochs and a fitting batch", () => {
    expect(rankingFor(reuse, scan4).map((r) => r.id)).toEqual(["v1", "v2"]);
    expect(recommendedStart(reuse, scan4, defaults)).toEqual({ parentVersionId: "v1", epochs: 5, batchSize: 32 });
  });
  it("keeps the family's defaults from scratch, and the chosen parent when one is chosen", () => {
    expect(recommendedStart(reuse, scan4, defaults, "")).toEqual({ parentVersionId: "", ...defaults });
    expect(recommendedStart(reuse, scan4, defaults, "v2")).toMatchObject({ parentVersionId: "v2", epochs: 5 });
  });
  it("uses the family default epochs when none were predicted, and ranks only the dataset's family", () => {
    const cookie = { id: "run-117", familyKey: "cookienetae", sampleCount: 20_000 };
    expect(recommendedStart(reuse, cookie, { epochs: 3, batchSize: 32 })).toEqual({ parentVersionId: "c1", epochs: 3, batchSize: 32 });
    expect(recommendedStart(reuse, undefined, defaults)).toEqual({ parentVersionId: "", ...defaults });
  });
});
