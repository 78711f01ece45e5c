/**
 * Agent data plane client: downloads one authorised file from another agent into `<destPath>.part`,
 * in one or more HTTP range streams written at their offsets, resuming with Range after dropped
 * connections, and renaming to `destPath` only when size and sha256 (hashed from the file itself, in
 * order, while it arrives) match. The destination never holds unverified bytes.
 */
import { mkdir, open, rename, stat, statfs, truncate, unlink, type FileHandle } from "node:fs/promises";
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
import { createFileHasher, type FileHasher } from "./file-hasher";
import { SHA256_HEX } from "./hash";
import { contiguousPrefix, parseContentRange, rangeHeader, splitRanges, type ByteRange } from "./ranges";

export * from "./errors";

export interface DownloadOptions {
  /** Full URL of the transfer, e.g. http://10.0.0.5:7070/v1/transfers/<transferId>. */
  url: string;
  token: string;
  /** The dashboard's seal of the token's grant (lib/agent-protocol/grant-seal.ts): the source serves without waiting for it. */
  seal?: string;
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
  /** Parallel range streams for a large file (default 1). */
  streams?: number;
  /** Smallest range worth a stream of its own (default 64 MiB). */
  minRangeBytes?: number;
}

export interface DownloadResult {
  bytes: number;
  /** Wall time of the whole call. */
  seconds: number;
  /** Rounds of HTTP requests made (1 when nothing went wrong). */
  attempts: number;
  /** Offset the last round resumed from (0 when it went from the start). */
  resumedFromBytes: number;
  /** Time from the call to the first byte of the body. */
  startupSeconds: number;
  sha256: string;
}

/**
 * Bytes gathered from the socket before one positioned write. Not more than 1 MiB: on this project's machines
 * (Linux 6.18, ext4) a 4 MiB write into new page-cache pages now and then takes ten times as long, and 256 MiB
 * transfers received in 4 MiB writes were slow in 9 of 12 runs (median 0.60 s), in 1 MiB writes in none of 12
 * (0.37 s), interleaved on the same bytes.
 */
const WRITE_BATCH = 1024 * 1024;
const PROGRESS_EVERY_MS = 100;

interface Checked {
  url: URL;
  transport: typeof http | typeof https;
  expectedSha256: string;
}

/** Stage 1: the options make sense. */
function checkOptions(options: DownloadOptions): Checked {
  const expectedSha256 = options.expectedSha256.toLowerCase();
  if (!SHA256_HEX.test(expectedSha256))
    throw new TransferProtocolError(`expectedSha256 is not a sha256 hex digest: ${options.expectedSha256}`);
  if (!Number.isSafeInteger(options.expectedBytes) || options.expectedBytes < 0)
    throw new TransferProtocolError(`bad expectedBytes ${options.expectedBytes}`);
  const url = new URL(options.url);
  const transport = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
  if (!transport) throw new TransferProtocolError(`unsupported URL scheme ${url.protocol}`);
  return { url, transport, expectedSha256 };
}

/**
 * Stage 2: the destination folder exists and has room for what is still to come. Without the check a
 * full disk shows up only as a short file and a checksum mismatch after the whole transfer. Resolves
 * with the size of a leftover part file (-1 for none).
 */
async function prepareDestination(destPath: string, expectedBytes: number): Promise<number> {
  const folder = path.dirname(path.resolve(destPath));
  await mkdir(folder, { recursive: true });
  // Both at once: this is on the path to the first byte.
  const [partial, disk] = await Promise.all([sizeOf(`${destPath}.part`), statfs(folder)]);
  const need = Math.max(0, expectedBytes - Math.max(0, partial));
  const free = disk.bavail * disk.bsize;
  if (need > free)
    throw new TransferError("no_space", `no space left on device (ENOSPC): ${need} bytes to write, ${free} bytes free in ${folder}.`);
  return partial;
}

/**
 * Stage 3: where to resume — the size of a leftover part file (`size`, -1 for none), or 0 (a part larger
 * than the file is discarded).
 */
async function resumeOffset(part: string, size: number, expectedBytes: number): Promise<number> {
  if (size <= expectedBytes) return Math.max(0, size);
  await unlink(part).catch(() => undefined);
  return 0;
}

async function sizeOf(file: string): Promise<number> {
  return stat(file)
    .then((stats) => stats.size)
    .catch(() => -1);
}

interface FetchContext {
  checked: Checked;
  options: DownloadOptions;
  idleTimeoutMs: number;
}

/** Stage 4a: one range request, its response checked against what was asked. Resolves with the body stream. */
async function fetchRange(context: FetchContext, range: ByteRange, wholeFile: boolean): Promise<http.IncomingMessage> {
  const { checked, options } = context;
  const headers: http.OutgoingHttpHeaders = { Authorization: `Bearer ${options.token}`, Accept: "application/octet-stream" };
  if (options.seal) headers["X-Transfer-Seal"] = options.seal;
  if (!wholeFile) headers.Range = rangeHeader(range);
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = checked.transport.request(checked.url, { method: "GET", headers, signal: options.signal }, resolve);
    request.setTimeout(context.idleTimeoutMs, () => request.destroy(new TransferTimeoutError(context.idleTimeoutMs)));
    request.on("error", (error) => {
      if (options.signal?.aborted) reject(new TransferAbortedError());
      else if (error instanceof TransferError) reject(error);
      else reject(new TransferInterruptedError(`connection to ${checked.url.host} failed: ${error.message}`, error));
    });
    request.end();
  });
  const status = response.statusCode ?? 0;
  if (status === 401 || status === 403) throw new TransferAuthError(status, await readErrorBody(response));
  if (status === 404) throw new TransferNotFoundError(await readErrorBody(response));
  if (status === 416) {
    response.resume();
    throw new RangeRefusedError();
  }
  if (status !== 200 && status !== 206) throw new TransferHttpError(status, await readErrorBody(response));
  if (status === 200) {
    const length = response.headers["content-length"];
    if (length !== undefined && Number(length) !== options.expectedBytes) {
      response.destroy();
      throw new ChecksumMismatchError(checked.expectedSha256, null, options.expectedBytes, Number(length));
    }
    if (!wholeFile) throw new ServerIgnoredRangeError();
    return response;
  }
  const contentRange = parseContentRange(response.headers["content-range"] as string | undefined);
  if (!contentRange || contentRange.start !== range.start || (!wholeFile && contentRange.end !== range.end)) {
    response.destroy();
    throw new TransferProtocolError(`unexpected Content-Range ${String(response.headers["content-range"])} for ${rangeHeader(range)}`);
  }
  if (contentRange.total !== null && contentRange.total !== options.expectedBytes) {
    response.destroy();
    throw new ChecksumMismatchError(checked.expectedSha256, null, options.expectedBytes, contentRange.total);
  }
  return response;
}

/** 416 on a resume: the server has no bytes past ours. */
class RangeRefusedError extends TransferError {
  constructor() {
    super("range_refused", "the server refused the range", { retryable: true });
  }
}

/** 200 to a range request: this server serves whole files only. */
class ServerIgnoredRangeError extends TransferError {
  constructor() {
    super("range_ignored", "the server ignored the Range header", { retryable: true });
  }
}

async function readErrorBody(response: http.IncomingMessage): Promise<string> {
  let text = "";
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (text.length < 4096) text += chunk.toString("utf8");
    }
  } catch {
    /* what arrived is enough for the message */
  }
  try {
    const json = JSON.parse(text) as { message?: unknown };
    return typeof json.message === "string" ? json.message : text.slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}

/**
 * Stage 4b: streams one response body into the part file at its offsets, gathering socket reads into
 * WRITE_BATCH-sized positioned writes with one write in flight while the next batch arrives (the
 * socket is paused only when a full batch waits behind a write). Event handlers, not an async
 * iterator: a 256 MiB body is 4096 socket reads, and a promise per read is measurable at this speed.
 * `onWritten(bytes)` reports bytes of this range on disk; resolves when the range is complete. What
 * arrived before a failure is still written, so the next round resumes after it.
 */
function receiveInto(
  response: http.IncomingMessage,
  file: FileHandle,
  range: ByteRange,
  onFirstByte: () => void,
  onWritten: (bytesOfRange: number) => void,
): Promise<void> {
  const length = range.end - range.start;
  return new Promise<void>((resolve, reject) => {
    let received = 0;
    let queued = 0;
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let writing = false;
    let closed = false;
    let failure: unknown = null;
    const settle = () => {
      if (writing || !closed) return;
      if (batchBytes > 0 && !(failure instanceof WriteFailed)) return startWrite();
      if (failure) reject(failure instanceof WriteFailed ? failure.cause : failure);
      else if (received < length) reject(new TransferInterruptedError(`connection dropped at byte ${range.start + received}`));
      else resolve();
    };
    const startWrite = () => {
      if (writing || batchBytes === 0) return;
      const buffers = batch;
      const bytes = batchBytes;
      const position = range.start + queued;
      batch = [];
      batchBytes = 0;
      queued += bytes;
      writing = true;
      file.writev(buffers, position).then(
        ({ bytesWritten }) => {
          writing = false;
          if (bytesWritten !== bytes) {
            failure = new WriteFailed(Object.assign(new Error(`short write (${bytesWritten} of ${bytes} bytes)`), { syscall: "write" }));
            response.destroy();
          } else {
            onWritten(queued);
            if (batchBytes >= WRITE_BATCH) startWrite();
            if (response.isPaused()) response.resume();
          }
          settle();
        },
        (error: unknown) => {
          writing = false;
          failure = new WriteFailed(error);
          response.destroy();
          settle();
        },
      );
    };
    response.on("data", (chunk: Buffer) => {
      if (received === 0) onFirstByte();
      if (received + chunk.length > length) {
        failure ??= new TransferProtocolError(`the server sent more than the ${length} bytes of ${rangeHeader(range)}`);
        response.destroy();
        return;
      }
      batch.push(chunk);
      batchBytes += chunk.length;
      received += chunk.length;
      if (batchBytes >= WRITE_BATCH) {
        if (writing) response.pause();
        else startWrite();
      }
    });
    response.on("error", (error) => {
      failure ??= error;
    });
    response.on("close", () => {
      closed = true;
      if (!failure && !response.complete) failure = new TransferInterruptedError(`connection dropped at byte ${range.start + received}`);
      settle();
    });
  });
}

/** A failed write: its bytes are lost, so nothing queued after it may be written either. */
class WriteFailed {
  constructor(readonly cause: unknown) {}
}

/**
 * Stage 4: one round — what is left of the file, from `from`, in up to `streams` parallel range
 * requests written into the part file; when one fails, the others are stopped. Resolves with how far
 * the file is whole from byte 0 and the first error (null when the round completed the file).
 */
async function fetchRound(
  context: FetchContext,
  part: string,
  from: number,
  streams: number,
  events: { onFirstByte: () => void; onWritten: (wholePrefix: number, newBytes: number) => void },
): Promise<{ whole: number; error: unknown }> {
  const { options } = context;
  const ranges = splitRanges(from, options.expectedBytes, streams, options.minRangeBytes ?? 64 * 1024 * 1024);
  const wholeFile = from === 0 && ranges.length === 1;
  const written = ranges.map(() => 0);
  const roundAbort = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, roundAbort.signal]) : roundAbort.signal;
  const roundContext = { ...context, options: { ...options, signal } };
  let error: unknown = null;
  const file = await open(part, "r+");
  try {
    await Promise.all(
      ranges.map(async (range, index) => {
        try {
          const response = await fetchRange(roundContext, range, wholeFile);
          await receiveInto(response, file, range, events.onFirstByte, (bytes) => {
            const newBytes = bytes - written[index];
            written[index] = bytes;
            events.onWritten(contiguousPrefix(from, ranges, written), newBytes);
          });
        } catch (failure) {
          error ??= failure;
          roundAbort.abort();
        }
      }),
    );
  } finally {
    await file.close();
  }
  return { whole: contiguousPrefix(from, ranges, written), error };
}

/** Turns whatever went wrong in a round into a TransferError. */
function asTransferError(error: unknown, part: string, signal: AbortSignal | undefined): TransferError {
  if (signal?.aborted) return new TransferAbortedError();
  if (error instanceof TransferError) return error;
  const errno = error as NodeJS.ErrnoException;
  if (errno.syscall && errno.syscall !== "read")
    return new TransferError("io", `writing ${part} failed: ${errno.message}`, { cause: error });
  return new TransferInterruptedError(`connection dropped: ${(error as Error).message}`, error);
}

/** Stage 5: the part file is the expected bytes with the expected sha256; otherwise it is deleted. */
async function verify(part: string, expectedBytes: number, expectedSha256: string, hasher: FileHasher): Promise<string> {
  const size = await sizeOf(part);
  const actual = size === expectedBytes ? await hasher.finish(expectedBytes) : null;
  if (actual !== expectedSha256) {
    await unlink(part).catch(() => undefined);
    throw new ChecksumMismatchError(expectedSha256, actual, expectedBytes, size);
  }
  return actual;
}

/** Stage 6: the verified part becomes the destination (durably unless fsync is off). */
async function promote(part: string, destPath: string, durable: boolean): Promise<void> {
  if (durable) {
    const file = await open(part, "r+");
    try {
      await file.sync();
    } finally {
      await file.close();
    }
  }
  await rename(part, destPath);
  if (durable) {
    const folder = await open(path.dirname(path.resolve(destPath)), "r").catch(() => null);
    await folder?.sync().catch(() => undefined);
    await folder?.close();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TransferAbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new TransferAbortedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export async function downloadVerified(options: DownloadOptions): Promise<DownloadResult> {
  const startedAt = performance.now();
  const checked = checkOptions(options);
  const { expectedBytes } = options;
  const part = `${options.destPath}.part`;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const fetchContext: FetchContext = { checked, options, idleTimeoutMs: options.idleTimeoutMs ?? 30_000 };
  const partial = await prepareDestination(options.destPath, expectedBytes);

  let offset = await resumeOffset(part, partial, expectedBytes);
  // the part file must exist before the hasher opens it
  await (await open(part, "a")).close();
  let hasher = createFileHasher(part, expectedBytes);
  let attempts = 0;
  let resumedFromBytes = 0;
  let firstByteAt: number | null = null;
  let lastProgressAt = 0;
  let received = offset;
  const progress = (force: boolean) => {
    const now = performance.now();
    if (options.onProgress && (force || now - lastProgressAt >= PROGRESS_EVERY_MS)) {
      lastProgressAt = now;
      options.onProgress(Math.min(received, expectedBytes), expectedBytes);
    }
  };
  const restartFromZero = async () => {
    await hasher.close();
    await unlink(part).catch(() => undefined);
    await (await open(part, "a")).close();
    hasher = createFileHasher(part, expectedBytes);
    offset = received = 0;
  };

  let streams = Math.max(1, options.streams ?? 1);
  try {
    hasher.advance(offset);
    while (offset < expectedBytes) {
      if (options.signal?.aborted) throw new TransferAbortedError();
      attempts += 1;
      resumedFromBytes = offset;
      const round = await fetchRound(fetchContext, part, offset, streams, {
        onFirstByte: () => (firstByteAt ??= performance.now()),
        onWritten: (prefix, newBytes) => {
          hasher.advance(prefix);
          received += newBytes;
          progress(false);
        },
      });
      if (!round.error) {
        offset = round.whole;
        continue;
      }
      // bytes past the whole prefix (other ranges of the round) are dropped: the part file stays a prefix
      offset = received = round.whole;
      if (offset < expectedBytes) await truncate(part, offset);
      const error = asTransferError(round.error, part, options.signal);
      if (error instanceof RangeRefusedError) {
        // the server has fewer bytes than our part file: start over
        await restartFromZero();
      } else if (error instanceof ServerIgnoredRangeError) {
        streams = 1;
        await restartFromZero();
      } else if (error instanceof ChecksumMismatchError) {
        await unlink(part).catch(() => undefined);
        error.attempts = attempts;
        throw error;
      }
      error.attempts = attempts;
      if (!error.retryable || attempts >= maxAttempts || options.signal?.aborted) {
        if (error.retryable && attempts >= maxAttempts) error.message = `${error.message} (gave up after ${attempts} attempts)`;
        throw options.signal?.aborted && !(error instanceof TransferAbortedError) ? new TransferAbortedError() : error;
      }
      await sleep(Math.min(5000, (options.retryDelayMs ?? 200) * 2 ** (attempts - 1)), options.signal);
    }
    const sha256 = await verify(part, expectedBytes, checked.expectedSha256, hasher).catch((error: unknown) => {
      if (error instanceof TransferError) error.attempts = attempts;
      throw error;
    });
    await promote(part, options.destPath, options.fsync ?? true);
    received = expectedBytes;
    progress(true);
    const endedAt = performance.now();
    return {
      bytes: expectedBytes,
      seconds: (endedAt - startedAt) / 1000,
      attempts,
      resumedFromBytes,
      startupSeconds: ((firstByteAt ?? endedAt) - startedAt) / 1000,
      sha256,
    };
  } finally {
    await hasher.close();
    // an empty part (refused before the first byte) is not worth keeping
    if ((await sizeOf(part)) === 0 && expectedBytes > 0) await unlink(part).catch(() => undefined);
  }
}

/** Deletes a partial download (e.g. before retrying a transfer from zero with a new ticket). */
export async function discardPartial(destPath: string): Promise<void> {
  await unlink(`${destPath}.part`).catch(() => undefined);
}
