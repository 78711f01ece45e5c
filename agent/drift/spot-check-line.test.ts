// The zoo's spot_check line as the edge agent reads it, and the report the dashboard accepts from it.
import { describe, expect, it } from "vitest";
import { zooLines } from "@/agent/zoo-lines";
import { spotCheckReport } from "@/lib/agent-protocol/spot-checks";

// As cmd_spot_check (zoo/beamline_zoo/cli.py) writes them.
const braggLine = {
  type: "spot_check",
  family: "braggnn",
  fraction: 0.05,
  checkpoint: "/edge/models/r1/checkpoint.pt",
  data: "/data/scan-003.h5",
  device: "cpu",
  threads: 2,
  total: 600,
  drawn: 30,
  samples: 28,
  failed: 2,
  metric: "px",
  mean_px: 1.006,
  p95_px: 5.268,
  labelling_seconds: 0.4,
  seconds: 0.66,
};

describe("the spot_check line", () => {
  it("reads a BraggNN check's pixel error as mean and p95", () => {
    expect(zooLines.spot_check.parse(braggLine)).toEqual({
      metric: "px",
      fraction: 0.05,
      drawn: 30,
      samples: 28,
      mean: 1.006,
      p95: 5.268,
      seconds: 0.66,
    });
  });

  it("reads a CookieNetAE check's MSE", () => {
    const line = { ...braggLine, metric: "mse", mean_px: undefined, p95_px: undefined, mean_mse: 0.088, p95_mse: 0.23 };
    expect(zooLines.spot_check.parse(line)).toMatchObject({ metric: "mse", mean: 0.088, p95: 0.23 });
  });

  it("refuses a line without its metric's values", () => {
    const result = zooLines.spot_check.safeParse({ ...braggLine, metric: "mse" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("a mse spot check must carry mean_mse and p95_mse");
  });

  it("makes a report the dashboard's schema accepts, and the schema names what is wrong", () => {
    const report = { modelVersionId: "v1", datasetId: "d1", ...zooLines.spot_check.parse(braggLine) };
    expect(spotCheckReport.parse(report)).toEqual(report);
    const bad = spotCheckReport.safeParse({ ...report, samples: 31, fraction: 0, metric: "rmse" });
    expect(bad.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      'metric: Invalid option: expected one of "px"|"mse"',
      "fraction: fraction must be above 0",
    ]);
    const more = spotCheckReport.safeParse({ ...report, samples: 31 });
    expect(more.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["samples: samples cannot exceed drawn"]);
  });
});
