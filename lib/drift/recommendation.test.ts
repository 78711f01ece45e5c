import { describe, expect, it } from "vitest";
import { retrainRecommendation, type VersionCheck } from "@/lib/drift/recommendation";

const check = (datasetId: string, arrivedDay: number, meanValue: number, checkedDay = 20): VersionCheck => ({
  datasetId,
  datasetName: `${datasetId}.h5`,
  datasetCreatedAt: new Date(Date.UTC(2026, 10, arrivedDay)),
  meanValue,
  checkedAt: new Date(Date.UTC(2026, 10, checkedDay)),
});
const active = { versionId: "v3", versionLabel: "BraggNN v3" };

describe("retrainRecommendation", () => {
  it("recommends when the check on the newest data is over the threshold, with the evidence", () => {
    const r = retrainRecommendation({
      familyKey: "braggnn",
      active,
      checks: [check("a", 1, 0.3), check("b", 3, 1.4, 21)],
      threshold: 0.75,
    });
    expect(r).toEqual({
      familyKey: "braggnn",
      versionId: "v3",
      versionLabel: "BraggNN v3",
      datasetId: "b",
      datasetName: "b.h5",
      value: 1.4,
      threshold: 0.75,
      checkedAt: new Date(Date.UTC(2026, 10, 21)),
    });
  });

  it("judges by the newest data, even when an older dataset was checked later", () => {
    const checks = [check("old-drifted", 1, 2.0, 25), check("newest-fine", 5, 0.4, 22)];
    expect(retrainRecommendation({ familyKey: "braggnn", active, checks, threshold: 0.75 })).toBeNull();
  });

  it("does not recommend at or under the threshold, nor without checks", () => {
    expect(retrainRecommendation({ familyKey: "braggnn", active, checks: [check("a", 1, 0.75)], threshold: 0.75 })).toBeNull();
    expect(retrainRecommendation({ familyKey: "braggnn", active, checks: [], threshold: 0.75 })).toBeNull();
  });
});
