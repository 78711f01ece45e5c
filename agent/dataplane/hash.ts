import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";

const CHUNK = 1024 * 1024;

/** Feeds a file (or its first `end` bytes) into `hash`, streaming; returns the number of bytes read. */
export async function hashFileInto(hash: Hash, path: string, opts: { end?: number } = {}): Promise<number> {
  if (opts.end === 0) return 0;
  let count = 0;
  const stream = createReadStream(path, {
    highWaterMark: CHUNK,
    ...(opts.end !== undefined ? { start: 0, end: opts.end - 1 } : {}),
  });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    count += chunk.length;
  }
  return count;
}

/** sha256 of a file as lowercase hex, streaming (constant memory). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await hashFileInto(hash, path);
  return hash.digest("hex");
}

/** sha256 of a file plus its size in bytes. */
export async function sha256FileWithSize(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  const bytes = await hashFileInto(hash, path);
  return { sha256: hash.digest("hex"), bytes };
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
