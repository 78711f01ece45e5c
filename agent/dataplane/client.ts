/**
 * Agent data plane client: downloads one authorised file from another agent, streaming to
 * `<destPath>.part`, resuming with Range after dropped connections, hashing incrementally, and
 * renaming to `destPath` only when size and sha256 match. The destination never holds unverified bytes.
 */
import { createHash, type Hash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open, rename, stat, unlink } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import {
  ChecksumMismatchError,
  TransferAbortedError,
  TransferAuthError,
  TransferError,
  TransferHttpError,
  TransferInterruptedError,
  TransferNotFoundError,
  TransferProtocolError,
  TransferTimeoutError,
} from "./errors";
import { hashFileInto, SHA256_HEX } from "./hash";

export * from "./errors";

export interface DownloadOptions {
  /** Full URL of the transfer, e.g. http://10.0.0.5:7070/v1/transfers/<transferId>. */
  url: string;
  token: string;
  destPath: string;
  expectedBytes: number;
  expectedSha256: string;
  /** Called as bytes arrive (at most every 100 ms, and once at the end). */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** Aborting keeps the .part file so a later call resumes. */
  signal?: AbortSignal;
  /** Connection attempts in all (default 5). */
  maxAttempts?: number;
  /** First retry delay, doubled each time (default 200 ms, capped at 5 s). */
  retryDelayMs?: number;
  /** Fail an attempt when no bytes arrive for this long (default 30 s). */
  idleTimeoutMs?: number;
  /** fsync the file before the rename (default true). */
  fsync?: boolean;
}

export interface DownloadResult {
  bytes: number;
  /** Wall time of the whole call. */
  seconds: number;
  /** HTTP requests made (1 when nothing went wrong). */
  attempts: number;
  /** Offset the last request resumed from (0 when it went from the start). */
  resumedFromBytes: number;
  /** Time from the call to the first byte of the body. */
  startupSeconds: number;
  sha256: string;
}

const WRITE_BATCH = 2 * 1024 * 1024;

interface State {
  hash: Hash | null;
  offset: number;
}

async function readErrorBody(res: http.IncomingMessage): Promise<string> {
  let s = "";
  try {
    for await (const c of res as AsyncIterable<Buffer>) {
      if (s.length < 4096) s += c.toString("utf8");
    }
  } catch {
    /* ignore */
  }
  try {
    const j = JSON.parse(s) as { message?: unknown };
    return typeof j.message === "string" ? j.message : s.slice(0, 300);
  } catch {
    return s.slice(0, 300);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TransferAbortedError());
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new TransferAbortedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Re-hashes whatever is in the part file (start of a call, or after a write went wrong). */
async function loadPart(part: string, expectedBytes: number): Promise<State> {
  let size: number;
  try {
    size = (await stat(part)).size;
  } catch {
    return { hash: createHash("sha256"), offset: 0 };
  }
  if (size > expectedBytes) {
    await unlink(part).catch(() => undefined);
    return { hash: createHash("sha256"), offset: 0 };
  }
  const hash = createHash("sha256");
  const n = await hashFileInto(hash, part, { end: size });
  return { hash, offset: n };
}

export async function downloadVerified(o: DownloadOptions): Promise<DownloadResult> {
  const t0 = performance.now();
  const expectedSha = o.expectedSha256.toLowerCase();
  if (!SHA256_HEX.test(expectedSha)) throw new TransferProtocolError(`expectedSha256 is not a sha256 hex digest: ${o.expectedSha256}`);
  if (!Number.isSafeInteger(o.expectedBytes) || o.expectedBytes < 0)
    throw new TransferProtocolError(`bad expectedBytes ${o.expectedBytes}`);
  const maxAttempts = Math.max(1, o.maxAttempts ?? 5);
  const idleMs = o.idleTimeoutMs ?? 30_000;
  const part = `${o.destPath}.part`;
  const url = new URL(o.url);
  const lib = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
  if (!lib) throw new TransferProtocolError(`unsupported URL scheme ${url.protocol}`);

  let state: State = await loadPart(part, o.expectedBytes);
  let attempts = 0;
  let resumedFromBytes = 0;
  let firstByteAt: number | null = null;
  let lastProgress = 0;
  const progress = (force: boolean) => {
    if (!o.onProgress) return;
    const now = performance.now();
    if (force || now - lastProgress >= 100) {
      lastProgress = now;
      o.onProgress(state.offset, o.expectedBytes);
    }
  };

  /** One HTTP request from state.offset; appends to the part file. Resolves when the body ended. */
  const attempt = async (): Promise<void> => {
    const from = state.offset;
    const headers: http.OutgoingHttpHeaders = { Authorization: `Bearer ${o.token}`, Accept: "application/octet-stream" };
    if (from > 0) headers.Range = `bytes=${from}-`;
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = lib.request(url, { method: "GET", headers, signal: o.signal }, resolve);
      req.setTimeout(idleMs, () => req.destroy(new TransferTimeoutError(idleMs)));
      req.on("error", (e) => {
        if (o.signal?.aborted) reject(new TransferAbortedError());
        else if (e instanceof TransferError) reject(e);
        else reject(new TransferInterruptedError(`connection to ${url.host} failed: ${e.message}`, e));
      });
      req.end();
    });

    const status = res.statusCode ?? 0;
    if (status === 416 && from > 0) {
      // we have at least as many bytes as the server: verify what we have (or start over)
      res.resume();
      if (from !== o.expectedBytes) {
        await unlink(part).catch(() => undefined);
        state = { hash: createHash("sha256"), offset: 0 };
        throw new TransferInterruptedError(`server refused resume at ${from}; restarting from 0`);
      }
      return;
    }
    if (status === 401 || status === 403) throw new TransferAuthError(status, await readErrorBody(res));
    if (status === 404) throw new TransferNotFoundError(await readErrorBody(res));
    if (status !== 200 && status !== 206) throw new TransferHttpError(status, await readErrorBody(res));

    let append = true;
    if (status === 206) {
      const cr = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers["content-range"] ?? ""));
      if (!cr || Number(cr[1]) !== from) {
        res.destroy();
        throw new TransferProtocolError(`unexpected Content-Range ${String(res.headers["content-range"])} for a resume at ${from}`);
      }
      if (cr[3] !== "*" && Number(cr[3]) !== o.expectedBytes) {
        res.destroy();
        await unlink(part).catch(() => undefined);
        throw new ChecksumMismatchError(expectedSha, null, o.expectedBytes, Number(cr[3]));
      }
      resumedFromBytes = from;
    } else {
      // 200: whole file (first request, or a server that ignored Range)
      append = false;
      resumedFromBytes = 0;
      state = { hash: createHash("sha256"), offset: 0 };
      const len = res.headers["content-length"];
      if (len !== undefined && Number(len) !== o.expectedBytes) {
        res.destroy();
        await unlink(part).catch(() => undefined);
        throw new ChecksumMismatchError(expectedSha, null, o.expectedBytes, Number(len));
      }
    }

    // Writes are batched (WRITE_BATCH bytes per writev) with one write in flight while the next
    // batch arrives: far fewer syscalls/thread-pool hops than one write per 64 KiB socket read.
    const fh = await open(part, append ? "a" : "w");
    const hash = state.hash ?? createHash("sha256");
    state.hash = hash;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let inflight: Promise<unknown> | null = null;
    const flush = async () => {
      if (inflight) await inflight;
      inflight = null;
      if (pendingBytes === 0) return;
      const bufs = pending;
      pending = [];
      pendingBytes = 0;
      inflight = fh.writev(bufs);
    };
    let failure: unknown = null;
    try {
      for await (const c of res as AsyncIterable<Buffer>) {
        if (firstByteAt === null) firstByteAt = performance.now();
        if (state.offset + c.length > o.expectedBytes) {
          res.destroy();
          failure = new ChecksumMismatchError(expectedSha, null, o.expectedBytes, state.offset + c.length);
          break;
        }
        hash.update(c);
        state.offset += c.length;
        pending.push(c);
        pendingBytes += c.length;
        if (pendingBytes >= WRITE_BATCH) await flush();
        progress(false);
      }
      if (!failure && !res.complete)
        failure = new TransferInterruptedError(`connection dropped at byte ${state.offset} of ${o.expectedBytes}`);
    } catch (e) {
      const errno = e as NodeJS.ErrnoException;
      failure = o.signal?.aborted
        ? new TransferAbortedError()
        : e instanceof TransferError
          ? e
          : errno.syscall && errno.syscall !== "read"
            ? new TransferError("io", `writing ${part} failed: ${errno.message}`, { cause: e })
            : new TransferInterruptedError(`connection dropped at byte ${state.offset} of ${o.expectedBytes}: ${(e as Error).message}`, e);
    }
    // flush what was hashed, so the part file and the hash state agree
    try {
      await flush();
      await flush();
    } catch (e) {
      failure ??= new TransferError("io", `writing ${part} failed: ${(e as Error).message}`, { cause: e });
    } finally {
      await fh.close().catch(() => undefined);
    }
    if (failure instanceof ChecksumMismatchError) await unlink(part).catch(() => undefined);
    if (failure) throw failure;
  };

  for (;;) {
    if (o.signal?.aborted) throw new TransferAbortedError();
    if (state.offset === o.expectedBytes && attempts > 0) break;
    if (state.offset === o.expectedBytes && o.expectedBytes === 0) {
      await new Promise<void>((r, j) => createWriteStream(part, { flags: "a" }).on("error", j).end(r));
      break;
    }
    attempts += 1;
    try {
      await attempt();
      if (state.offset === o.expectedBytes) break;
      throw new TransferInterruptedError(`body ended at byte ${state.offset} of ${o.expectedBytes}`);
    } catch (e) {
      const err = e instanceof TransferError ? e : new TransferError("io", (e as Error).message, { cause: e });
      err.attempts = attempts;
      if (!err.retryable || attempts >= maxAttempts || o.signal?.aborted) {
        if (err.retryable && attempts >= maxAttempts) err.message = `${err.message} (gave up after ${attempts} attempts)`;
        throw o.signal?.aborted && !(err instanceof TransferAbortedError) ? new TransferAbortedError() : err;
      }
      // the part file must match the hash state; if a write went wrong, re-hash from disk
      const onDisk = await stat(part)
        .then((s) => s.size)
        .catch(() => 0);
      if (onDisk !== state.offset || !state.hash) state = await loadPart(part, o.expectedBytes);
      await sleep(Math.min(5000, (o.retryDelayMs ?? 200) * 2 ** (attempts - 1)), o.signal);
    }
  }

  // verify
  const actual = (state.hash ?? createHash("sha256")).digest("hex");
  const size = await stat(part)
    .then((s) => s.size)
    .catch(() => -1);
  if (actual !== expectedSha || size !== o.expectedBytes || state.offset !== o.expectedBytes) {
    await unlink(part).catch(() => undefined);
    const err = new ChecksumMismatchError(expectedSha, actual, o.expectedBytes, size);
    err.attempts = attempts;
    throw err;
  }
  if (o.fsync ?? true) {
    const fh = await open(part, "r+");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
  await rename(part, o.destPath);
  if (o.fsync ?? true) {
    // make the rename durable too
    const dir = await open(path.dirname(path.resolve(o.destPath)), "r").catch(() => null);
    await dir?.sync().catch(() => undefined);
    await dir?.close();
  }
  progress(true);
  const end = performance.now();
  return {
    bytes: o.expectedBytes,
    seconds: (end - t0) / 1000,
    attempts,
    resumedFromBytes,
    startupSeconds: ((firstByteAt ?? end) - t0) / 1000,
    sha256: actual,
  };
}

/** Deletes a partial download (e.g. before retrying a transfer from zero with a new ticket). */
export async function discardPartial(destPath: string): Promise<void> {
  await unlink(`${destPath}.part`).catch(() => undefined);
}
