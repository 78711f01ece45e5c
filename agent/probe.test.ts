import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeRandomFile } from "@/agent/probe";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("writeRandomFile", () => {
  it("writes exactly the size asked, random, and returns the sha256 of what is on disk", async () => {
    const a = path.join(dir, "a.bin");
    const b = path.join(dir, "b.bin");
    const bytes = 3 * 1024 * 1024 + 17;
    const sha = await writeRandomFile(a, bytes);
    await writeRandomFile(b, bytes);
    const onDisk = fs.readFileSync(a);
    expect(onDisk.length).toBe(bytes);
    expect(createHash("sha256").update(onDisk).digest("hex")).toBe(sha);
    expect(fs.readFileSync(b).equals(onDisk)).toBe(false);
  });

  it("stops when aborted", async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(writeRandomFile(path.join(dir, "c.bin"), 1024, abort.signal)).rejects.toThrow();
  });
});
