// Real files and a real worker thread.
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createFileHasher, WORKER_HASH_MIN_BYTES } from "./file-hasher";

const dir = mkdtempSync(path.join(tmpdir(), "br-hasher-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createFileHasher", () => {
  it("hashes a large file in a worker while it is written, in order, to the same digest as the whole file", async () => {
    const file = path.join(dir, "large.bin");
    const data = randomBytes(WORKER_HASH_MIN_BYTES + 12345);
    writeFileSync(file, "");
    const hasher = createFileHasher(file, data.length);
    const step = 3 * 1024 * 1024 + 7;
    for (let offset = 0; offset < data.length; offset += step) {
      appendFileSync(file, data.subarray(offset, offset + step));
      hasher.advance(Math.min(data.length, offset + step));
    }
    expect(await hasher.finish(data.length)).toBe(createHash("sha256").update(data).digest("hex"));
    await hasher.close();
  });

  it("hashes a small file on the event loop at the end, and an empty one", async () => {
    const file = path.join(dir, "small.bin");
    const data = randomBytes(1000);
    writeFileSync(file, data);
    const hasher = createFileHasher(file, data.length);
    expect(await hasher.finish(data.length)).toBe(createHash("sha256").update(data).digest("hex"));
    writeFileSync(file, "");
    expect(await createFileHasher(file, 0).finish(0)).toBe(createHash("sha256").digest("hex"));
  });

  it("a closed worker hasher stops without a digest", async () => {
    const file = path.join(dir, "closed.bin");
    writeFileSync(file, randomBytes(1024));
    const hasher = createFileHasher(file, WORKER_HASH_MIN_BYTES);
    hasher.advance(1024);
    await hasher.close();
    await expect(hasher.finish(1024)).rejects.toThrow(/hashing worker stopped/);
  });
});
