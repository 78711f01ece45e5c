import { describe, expect, it } from "vitest";
import { labelledPath, storePath, transferStagingPath } from "./store";

const sha = "ab".repeat(32);

describe("labelledPath (#18)", () => {
  it("gives each run its own labelled file, outside the shared content-addressed store", () => {
    expect(labelledPath("/w", "run-a")).toBe("/w/runs/run-a/labelled.h5");
    expect(labelledPath("/w", "run-a")).not.toBe(labelledPath("/w", "run-b"));
    expect(labelledPath("/w", "run-a").startsWith("/w/store/")).toBe(false);
  });
});

describe("transferStagingPath (#18)", () => {
  it("gives each transfer of one file its own download name (and so its own .part)", () => {
    const dest = storePath("/w", sha, "dataset");
    expect(transferStagingPath(dest, "t1")).toBe(`/w/store/${sha}.h5.t1`);
    expect(transferStagingPath(dest, "t1")).not.toBe(transferStagingPath(dest, "t2"));
  });

  it("refuses a transfer id that could leave the folder", () => {
    expect(() => transferStagingPath("/w/store/x.h5", "../x")).toThrow("not a transfer id");
    expect(() => transferStagingPath("/w/store/x.h5", "")).toThrow("not a transfer id");
  });
});
