import { describe, expect, it } from "vitest";
import { MIN_SPOT_CHECK_SAMPLES, owedSpotChecks, spotCheckFraction, type HostDataset, type HostDeployment } from "@/lib/drift/owed-checks";

const t = (minute: number) => new Date(Date.UTC(2026, 10, 29, 12, minute));
const policy = { threshold: 0.75, fraction: 0.05 };
const policyOf = () => policy;

function deployment(version: string, minute: number, active: boolean, extra: Partial<HostDeployment> = {}): HostDeployment {
  return {
    modelVersionId: version,
    familyKey: "braggnn",
    experimentId: "exp",
    path: `/edge/models/${version}/checkpoint.pt`,
    artifactSha256: version.padEnd(64, "0"),
    active,
    deployedAt: t(minute),
    ...extra,
  };
}
function dataset(id: string, minute: number, extra: Partial<HostDataset> = {}): HostDataset {
  return {
    id,
    experimentId: "exp",
    familyKey: "braggnn",
    kind: "raw",
    path: `/data/${id}.h5`,
    sampleCount: 12_000,
    createdAt: t(minute),
    ...extra,
  };
}
const pairs = (owed: ReturnType<typeof owedSpotChecks>) => owed.map((o) => `${o.modelVersionId}/${o.datasetId}/${o.purpose}`);

describe("spotCheckFraction", () => {
  it("draws the policy's fraction, but at least MIN_SPOT_CHECK_SAMPLES samples and at most the whole file", () => {
    expect(spotCheckFraction(0.05, 12_000)).toBe(0.05);
    expect(spotCheckFraction(0.05, 600)).toBeCloseTo(MIN_SPOT_CHECK_SAMPLES / 600);
    expect(spotCheckFraction(0.05, 100)).toBe(1);
  });
});

describe("owedSpotChecks", () => {
  it("checks the active version on data that arrived after it, newest first, and on the newest data from before", () => {
    const owed = owedSpotChecks({
      deployments: [deployment("v1", 10, true)],
      datasets: [dataset("old", 1), dataset("before", 5), dataset("new1", 20), dataset("new2", 30)],
      checks: [],
      policyOf,
    });
    expect(pairs(owed)).toEqual(["v1/new2/monitor", "v1/new1/monitor", "v1/before/monitor"]);
    expect(
      owedSpotChecks({
        deployments: [deployment("v1", 10, true)],
        datasets: [dataset("small", 20, { sampleCount: 400 })],
        checks: [],
        policyOf,
      })[0].fraction,
    ).toBe(0.5);
    expect(owed[0]).toMatchObject({
      checkpointPath: "/edge/models/v1/checkpoint.pt",
      checkpointSha256: "v1".padEnd(64, "0"),
      dataPath: "/data/new2.h5",
      fraction: 0.05,
      family: "braggnn",
    });
  });

  it("owes nothing already recorded, nothing for retired deployments, other experiments, families or unlabellable files", () => {
    const owed = owedSpotChecks({
      deployments: [deployment("v0", 1, false), deployment("v1", 10, true), deployment("c1", 10, true, { familyKey: "cookienetae" })],
      datasets: [
        dataset("new1", 20),
        dataset("other-exp", 21, { experimentId: "exp2" }),
        dataset("cookie-raw", 22, { familyKey: "cookienetae", kind: "raw" }),
        dataset("cookie-sim", 23, { familyKey: "cookienetae", kind: "simulated" }),
      ],
      checks: [{ modelVersionId: "v1", datasetId: "new1", meanValue: 0.3 }],
      policyOf,
    });
    expect(pairs(owed)).toEqual(["c1/cookie-sim/monitor"]);
  });

  it("after a check over the threshold, owes every other version on the host on the newest drifted data, for ranking", () => {
    const owed = owedSpotChecks({
      deployments: [
        deployment("v1", 1, false),
        deployment("v2", 5, false, { path: "/edge/models/v2-old/checkpoint.pt" }),
        deployment("v2", 8, false),
        deployment("v3", 10, true),
        deployment("c1", 2, false, { familyKey: "cookienetae" }),
      ],
      datasets: [dataset("a", 9), dataset("drift1", 20), dataset("drift2", 30), dataset("fine", 40)],
      checks: [
        { modelVersionId: "v3", datasetId: "a", meanValue: 0.3 },
        { modelVersionId: "v3", datasetId: "drift1", meanValue: 1.2 },
        { modelVersionId: "v3", datasetId: "drift2", meanValue: 1.5 },
        { modelVersionId: "v3", datasetId: "fine", meanValue: 0.4 },
        { modelVersionId: "v1", datasetId: "drift2", meanValue: 0.5 },
      ],
      policyOf,
    });
    expect(pairs(owed)).toEqual(["v2/drift2/rank"]);
    expect(owed[0].checkpointPath).toBe("/edge/models/v2/checkpoint.pt");
  });

  it("is bounded, monitoring before ranking", () => {
    const datasets = Array.from({ length: 10 }, (_, i) => dataset(`d${i}`, 20 + i));
    const owed = owedSpotChecks({
      deployments: [deployment("v1", 1, false), deployment("v2", 10, true)],
      datasets,
      checks: [{ modelVersionId: "v2", datasetId: "d0", meanValue: 2 }],
      policyOf,
      limit: 3,
    });
    expect(pairs(owed)).toEqual(["v2/d9/monitor", "v2/d8/monitor", "v2/d7/monitor"]);
  });

  it("owes nothing for a family without a policy", () => {
    expect(
      owedSpotChecks({ deployments: [deployment("v1", 1, true)], datasets: [dataset("d", 2)], checks: [], policyOf: () => null }),
    ).toEqual([]);
  });
});
