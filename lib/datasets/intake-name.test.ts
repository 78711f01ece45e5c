import { describe, expect, it } from "vitest";
import { datasetNameFor, firstFreeName, MAX_DATASET_NAME } from "@/lib/datasets/intake-name";

describe("datasetNameFor", () => {
  it("is the path inside the root without the HDF5 extension", () => {
    expect(datasetNameFor("/data/hedm", "/data/hedm/scan-000.h5")).toBe("scan-000");
    expect(datasetNameFor("/data/hedm", "/data/hedm/day 2/Scan_7.HDF5")).toBe("day 2/Scan_7");
    expect(datasetNameFor("/", "/x.h5")).toBe("x");
  });

  it("replaces characters a name may not hold and keeps the file name of a long path", () => {
    expect(datasetNameFor("/d", "/d/a:b*c.h5")).toBe("a_b_c");
    const long = datasetNameFor("/d", `/d/${"deep/".repeat(40)}scan-123.h5`);
    expect(long.length).toBeLessThanOrEqual(MAX_DATASET_NAME - 8);
    expect(long.startsWith("…")).toBe(true);
    expect(long.endsWith("deep/scan-123")).toBe(true);
  });

  it("refuses a file outside the root", () => {
    expect(() => datasetNameFor("/data/hedm", "/data/hedm2/x.h5")).toThrow("not inside");
  });
});

describe("firstFreeName", () => {
  it("counts up from 2 past the names taken", () => {
    expect(firstFreeName("scan", new Set())).toBe("scan");
    expect(firstFreeName("scan", new Set(["scan", "scan (2)"]))).toBe("scan (3)");
    expect(firstFreeName("scan", new Set(["scan (2)"]))).toBe("scan");
  });
});
