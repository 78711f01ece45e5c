import { describe, expect, it } from "vitest";
import { edgeHostPath, isInsideRoot } from "@/lib/data-roots/data-root-path";

describe("edgeHostPath", () => {
  it.each([
    ["/data/hedm/", "/data/hedm"],
    ["/data//hedm/./scan.h5", "/data/hedm/scan.h5"],
    ["  /data/hedm  ", "/data/hedm"],
  ])("normalises %s to %s", (raw, normalised) => {
    expect(edgeHostPath.parse(raw)).toBe(normalised);
  });

  it.each([
    ["/data/hedm/../cookie/x.h5", "The path must not contain '..'."],
    ["data/x", "The path must be absolute (start with /)."],
    ["/data/a\nb", "The path contains control characters."],
  ])("refuses %j", (raw, message) => {
    const result = edgeHostPath.safeParse(raw);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain(message);
  });
});

describe("isInsideRoot", () => {
  it("accepts files below the root, at any depth", () => {
    expect(isInsideRoot("/data/hedm/scan.h5", "/data/hedm")).toBe(true);
    expect(isInsideRoot("/data/hedm/2026/scan.h5", "/data/hedm")).toBe(true);
    expect(isInsideRoot("/anything.h5", "/")).toBe(true);
  });

  it("refuses the root itself, siblings sharing a prefix, and other folders", () => {
    expect(isInsideRoot("/data/hedm", "/data/hedm")).toBe(false);
    expect(isInsideRoot("/data/hedm-other/scan.h5", "/data/hedm")).toBe(false);
    expect(isInsideRoot("/data/cookie/run.h5", "/data/hedm")).toBe(false);
  });
});
