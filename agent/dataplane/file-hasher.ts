/**
 * sha256 of a file that is still being written, in order from byte 0: the writer announces how many
 * bytes from the start are on disk (`advance`), and the hasher reads and hashes them behind it. What is
 * hashed is what was written, read back from the file, so the digest vouches for the file itself.
 *
 * Large files are hashed in a worker thread, overlapped with receiving: sha256 (1.2-1.7 GiB/s here, with
 * the CPU's SHA extensions, which Node's OpenSSL already uses) would otherwise share the event loop with
 * the sockets. Small ones are hashed on the event loop at the end,
 * where a worker's start-up (tens of ms) would cost more than it saves.
 */
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { hashFileInto } from "./hash";

export interface FileHasher {
  /** The first `bytes` bytes of the file are written and will not change. */
  advance(bytes: number): void;
  /** Hashes up to `bytes` (all written) and returns the hex digest. */
  finish(bytes: number): Promise<string>;
  /** Stops hashing (the download failed or restarts from zero). */
  close(): Promise<void>;
}

/** Files from this size on are hashed in a worker. */
export const WORKER_HASH_MIN_BYTES = 16 * 1024 * 1024;

// Slots of the shared Int64 array between the writer and the worker.
const WRITTEN = 0;
const FINISH = 1;
const SEQUENCE = 2;

// Plain JavaScript, run with `eval` so it works the same under node, tsx and vitest (no loader in the worker).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { createHash } = require("node:crypto");
const shared = new BigInt64Array(workerData.shared);
const fd = fs.openSync(workerData.path, "r");
const buffer = Buffer.allocUnsafe(${4 * 1024 * 1024});
const hash = createHash("sha256");
let hashed = 0;
for (;;) {
  const sequence = Atomics.load(shared, ${SEQUENCE});
  const written = Number(Atomics.load(shared, ${WRITTEN}));
  const finish = Number(Atomics.load(shared, ${FINISH}));
  if (finish < 0) break;
  if (hashed < written) {
    const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, written - hashed), hashed);
    if (n === 0) throw new Error("the file is shorter (" + hashed + " bytes) than announced (" + written + ")");
    hash.update(buffer.subarray(0, n));
    hashed += n;
    continue;
  }
  if (finish > 0 && hashed >= finish) {
    parentPort.postMessage(hash.digest("hex"));
    break;
  }
  Atomics.wait(shared, ${SEQUENCE}, sequence);
}
fs.closeSync(fd);
`;

function workerHasher(file: string): FileHasher {
  const shared = new BigInt64Array(new SharedArrayBuffer(3 * 8));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: file, shared: shared.buffer } });
  const digest = new Promise<string>((resolve, reject) => {
    worker.once("message", (hex: string) => resolve(hex));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the hashing worker stopped (exit ${code}) before the digest`)));
  });
  digest.catch(() => undefined); // observed by finish(); a closed hasher's digest is never asked for
  const signal = () => {
    Atomics.add(shared, SEQUENCE, 1n);
    Atomics.notify(shared, SEQUENCE);
  };
  return {
    advance(bytes) {
      Atomics.store(shared, WRITTEN, BigInt(bytes));
      signal();
    },
    async finish(bytes) {
      Atomics.store(shared, WRITTEN, BigInt(bytes));
      Atomics.store(shared, FINISH, BigInt(Math.max(1, bytes)));
      signal();
      return bytes === 0 ? createHash("sha256").digest("hex") : digest;
    },
    async close() {
      Atomics.store(shared, FINISH, -1n);
      signal();
      await worker.terminate();
    },
  };
}

function eventLoopHasher(file: string): FileHasher {
  return {
    advance() {},
    async finish(bytes) {
      const hash = createHash("sha256");
      await hashFileInto(hash, file, { end: bytes });
      return hash.digest("hex");
    },
    async close() {},
  };
}

/** A hasher for `file`, which must exist; `expectedBytes` picks where the hashing runs. */
export function createFileHasher(file: string, expectedBytes: number): FileHasher {
  return expectedBytes >= WORKER_HASH_MIN_BYTES ? workerHasher(file) : eventLoopHasher(file);
}
