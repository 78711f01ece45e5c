import { describe, expect, it } from "vitest";
import { registerDatasetInput } from "./dataset-input";

const valid = {
  experimentId: "e1",
  name: "scan 3",
  edgeHostId: "h1",
  path: "/data/hedm/scan3.h5",
  familyKey: "braggnn",
  kind: "labelled",
  bytes: "1024",
  sha256: "A".repeat(64),
  sampleCount: "100",
  shape: "100×11×11",
};

function errorsFor(change: Partial<Record<keyof typeof valid, string>>) {
  const result = registerDatasetInput.safeParse({ ...valid, ...change });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("registerDatasetInput", () => {
  it("accepts a well-formed registration and normalises it", () => {
    const parsed = registerDatasetInput.parse(valid);
    expect(parsed.sha256).toBe("a".repeat(64));
    expect(parsed.shape).toEqual([100, 11, 11]);
    expect(parsed.bytes).toBe(1024);
  });

  it.each([
    ["path traversal", { path: "/data/../etc/passwd.h5" }, "path: The path must not contain '..'."],
    ["a relative path", { path: "data/x.h5" }, "path: The path must be absolute (start with /)."],
    ["a control character", { path: "/data/a\nb.h5" }, "path: The path contains control characters."],
    ["a non-HDF5 file", { path: "/data/x.csv" }, "path: Datasets are HDF5 files (.h5 or .hdf5)."],
    ["markup in the name", { name: "<script>alert(1)</script>" }, "name: Use letters, digits, spaces and . _ - ( ) + only."],
    ["an empty file", { bytes: "0" }, "bytes: The file cannot be empty."],
    ["a bad checksum", { sha256: "xyz" }, "sha256: sha256 is 64 hexadecimal characters."],
    ["a bad shape", { shape: "eleven by eleven" }, "shape: Write shapes like 20000×11×11."],
    ["an unknown family", { familyKey: "resnet" }, "familyKey: Choose the model family this data trains."],
  ])("refuses %s with a specific message", (_label, change, message) => {
    expect(errorsFor(change)).toContain(message);
  });
});
