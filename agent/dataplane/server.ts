/**
 * Agent data plane: serves authorised files to other agents over HTTP, never through the dashboard.
 *
 *   GET|HEAD /v1/transfers/:transferId   Authorization: Bearer <one-time token>   [Range: bytes=N-]
 *                                        [X-Transfer-Seal: the dashboard's signed grant for that token]
 *
 * The file served is ONLY the path returned by `authorize(token)`; nothing in the URL is used to
 * find a file (the transferId in the URL must merely match the grant). Responses: 200/206 with the
 * bytes (Range → 206, resume), 401 (missing/unknown token), 403 (token for another transfer),
 * 404 (no such route / file gone), 409 (file changed since authorised), 416 (bad range), 503
 * (authorisation service unavailable), 429 (too many token look-ups from one address) — errors as
 * JSON `{ error, message }`.
 *
 * Every unknown token costs the serving agent a call to the dashboard, out of that agent's own API
 * budget; so refusals are remembered for a while (keyed by the token's hash), look-ups are limited per
 * client address, and concurrent requests with one token (parallel range streams) share one look-up.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { createRateLimiter } from "@/lib/security/rate-limit";

export interface TransferGrant {
  transferId: string;
  /** Absolute path of the file to serve. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface DataPlaneServerOptions {
  host: string;
  /** 0 = pick a free port. */
  port: number;
  /** Resolves a bearer token to the one file it may read, or null if unknown/forged/expired. May throw (→ 503). */
  authorize: (token: string) => Promise<TransferGrant | null>;
  /**
   * The grant a sealed request carries (X-Transfer-Seal, lib/agent-protocol/grant-seal.ts), when the seal is this
   * agent's, whole, for this transfer and token, and names a file it may serve; else null. A sealed request is served
   * at once, with `authorize` asked alongside: its refusal cuts the response. Without it, every request waits for
   * `authorize`.
   */
  openSeal?: (seal: string, token: string, transferId: string) => Promise<TransferGrant | null>;
  /**
   * How long a successful authorisation is remembered for the same token, so that resumed and
   * repeated requests of one transfer work even when the dashboard's tokens are single-use
   * (default 15 min; 0 disables).
   */
  grantCacheMs?: number;
  /** How long a refused token stays refused without asking again (default 30 s; 0 disables). */
  refusalCacheMs?: number;
  /** Token look-ups (cache misses) allowed per client address per minute (default 120). */
  lookupsPerMinute?: number;
  /** Called after each response (for logs/metrics). */
  onServed?: (event: ServedEvent) => void;
  /** Read chunk size (default 4 MiB: fewer, larger socket writes). */
  chunkBytes?: number;
}

/** Remembers answers for token hashes until they expire; bounded (expired entries go first, then the oldest). */
export class ExpiringCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();
  constructor(private readonly maxEntries = 10_000) {}

  get(key: string, now = Date.now()): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires > now) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T, ttlMs: number, now = Date.now()): void {
    if (ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      for (const [cachedKey, entry] of this.entries) if (entry.expires <= now) this.entries.delete(cachedKey);
      // still full: Map keeps insertion order, so the first keys are the oldest
      for (const cachedKey of this.entries.keys()) {
        if (this.entries.size < this.maxEntries) break;
        this.entries.delete(cachedKey);
      }
    }
    this.entries.delete(key);
    this.entries.set(key, { value, expires: now + ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface ServedEvent {
  transferId: string | null;
  status: number;
  start: number;
  bytesSent: number;
  complete: boolean;
  /** Served on the dashboard's seal, before its answer came. */
  sealed: boolean;
  seconds: number;
  remote: string | undefined;
}

export interface DataPlaneServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  host: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

const ROUTE = /^\/v1\/transfers\/([A-Za-z0-9._~-]{1,200})$/;

/** Parses a single-range `Range` header. null = ignore the header (serve 200). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | null {
  if (!header) return null;
  const found = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!found) return null; // multi-range or malformed: ignored, as RFC 9110 allows
  const [, first, last] = found;
  if (first === "" && last === "") return null;
  if (first === "") {
    const suffixLength = Number(last);
    if (suffixLength === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffixLength), end: size - 1 };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= size) return "unsatisfiable";
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return null;
  return { start, end };
}

const sameGrant = (a: TransferGrant, b: TransferGrant) =>
  a.transferId === b.transferId && a.path === b.path && a.bytes === b.bytes && a.sha256 === b.sha256;

function sendJson(res: http.ServerResponse, status: number, error: string, message: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ error, message });
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    ...extra,
  });
  res.end(body);
}

export async function createDataPlaneServer(opts: DataPlaneServerOptions): Promise<DataPlaneServer> {
  // Grants are kept just long enough for one transfer's parallel range requests to share a look-up: a
  // later request asks the dashboard again, which refuses once the receiving task has ended.
  const grantCacheMs = opts.grantCacheMs ?? 5_000;
  const refusalCacheMs = opts.refusalCacheMs ?? 30_000;
  const chunkBytes = opts.chunkBytes ?? 4 * 1024 * 1024;
  const answers = new ExpiringCache<TransferGrant | null>();
  const lookupsInFlight = new Map<string, Promise<TransferGrant | null>>();
  const lookupLimiter = createRateLimiter(opts.lookupsPerMinute ?? 120, 60_000);

  /**
   * The grant of a token: the dashboard's answer when it is known (a grant, or null for a refusal), "limited" when
   * this address asked about too many unknown tokens, else the look-up under way (one per token at a time).
   */
  const lookUp = (token: string, remote: string): TransferGrant | null | "limited" | Promise<TransferGrant | null> => {
    const key = createHash("sha256").update(token).digest("hex");
    const known = answers.get(key);
    if (known !== undefined) return known;
    const inFlight = lookupsInFlight.get(key);
    if (inFlight) return inFlight;
    if (lookupLimiter.hit(remote) > 0) return "limited";
    const lookup = opts
      .authorize(token)
      .then((grant) => {
        answers.set(key, grant, grant ? grantCacheMs : refusalCacheMs);
        return grant;
      })
      .finally(() => lookupsInFlight.delete(key));
    lookupsInFlight.set(key, lookup);
    return lookup;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const startedAt = performance.now();
    let transferId: string | null = null;
    let start = 0;
    let bytesSent = 0;
    let expected = 0;
    let sealedGrant = false;
    res.on("close", () => {
      opts.onServed?.({
        transferId,
        status: res.statusCode,
        start,
        bytesSent,
        complete: bytesSent === expected && res.writableFinished,
        sealed: sealedGrant,
        seconds: (performance.now() - startedAt) / 1000,
        remote: req.socket.remoteAddress,
      });
    });

    const url = new URL(req.url ?? "/", "http://x");
    const found = ROUTE.exec(url.pathname);
    if (!found) return sendJson(res, 404, "not_found", "no such route");
    if (req.method !== "GET" && req.method !== "HEAD") {
      return sendJson(res, 405, "method_not_allowed", "use GET or HEAD", { Allow: "GET, HEAD" });
    }
    transferId = found[1];
    const auth = req.headers.authorization ?? "";
    const bearerMatch = /^Bearer\s+(\S{1,4096})\s*$/i.exec(auth);
    if (!bearerMatch) return sendJson(res, 401, "unauthorized", "missing bearer token", { "WWW-Authenticate": "Bearer" });

    const token = bearerMatch[1];
    const answer = lookUp(token, req.socket.remoteAddress ?? "unknown");
    if (answer === "limited")
      return sendJson(res, 429, "too_many_requests", "too many token look-ups from this address; retry later", { "Retry-After": "10" });
    let grant: TransferGrant | null;
    if (answer instanceof Promise) {
      const seal = req.headers["x-transfer-seal"];
      const sealed = typeof seal === "string" && opts.openSeal ? await opts.openSeal(seal, token, transferId).catch(() => null) : null;
      if (sealed) {
        // The dashboard signed this grant: the bytes start now, its own answer follows, and a refusal cuts them off.
        grant = sealed;
        sealedGrant = true;
        const cut = (why: string) => !res.writableFinished && res.destroy(new Error(why));
        answer.then(
          (confirmed) => (confirmed && sameGrant(confirmed, sealed) ? undefined : cut("the dashboard refused the transfer")),
          () => cut("the dashboard could not confirm the transfer"),
        );
      } else {
        try {
          grant = await answer;
        } catch (failure) {
          return sendJson(res, 503, "authorization_unavailable", `could not check the token: ${(failure as Error).message}`, {
            "Retry-After": "2",
          });
        }
      }
    } else {
      grant = answer;
    }
    if (!grant)
      return sendJson(res, 401, "unauthorized", "token unknown, expired or forged", { "WWW-Authenticate": 'Bearer error="invalid_token"' });
    if (grant.transferId !== transferId) return sendJson(res, 403, "forbidden", "token is not valid for this transfer");

    // The ONLY file ever opened is the one the grant names.
    let fileHandle;
    try {
      fileHandle = await open(grant.path, "r");
    } catch {
      return sendJson(res, 404, "not_found", "the file of this transfer is not available");
    }
    let handedOff = false;
    try {
      const stats = await fileHandle.stat();
      if (!stats.isFile()) return sendJson(res, 404, "not_found", "the file of this transfer is not available");
      const size = stats.size;
      if (size !== grant.bytes) {
        return sendJson(
          res,
          409,
          "changed",
          `the file changed since the transfer was authorised (${size} bytes on disk, ${grant.bytes} authorised)`,
        );
      }
      const range = parseRange(req.headers.range, size);
      if (range === "unsatisfiable") {
        return sendJson(res, 416, "range_not_satisfiable", `range ${req.headers.range} outside 0-${size - 1}`, {
          "Content-Range": `bytes */${size}`,
        });
      }
      start = range?.start ?? 0;
      const end = range?.end ?? size - 1;
      expected = Math.max(0, end - start + 1);
      const headers: http.OutgoingHttpHeaders = {
        "Content-Type": "application/octet-stream",
        "Content-Length": expected,
        "Accept-Ranges": "bytes",
        ETag: `"sha256-${grant.sha256}"`,
        "X-Content-SHA256": grant.sha256,
        "Cache-Control": "no-store",
      };
      if (range) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
      res.writeHead(range ? 206 : 200, headers);
      if (req.method === "HEAD" || expected === 0) {
        res.end();
        return;
      }
      const stream = fileHandle.createReadStream({ start, end, highWaterMark: chunkBytes, autoClose: true });
      handedOff = true;
      stream.on("data", (chunk: Buffer | string) => {
        bytesSent += chunk.length;
      });
      await pipeline(stream, res).catch(() => {
        /* client went away: nothing to do, the stream and file are closed by pipeline */
      });
    } finally {
      if (!handedOff) await fileHandle.close().catch(() => undefined);
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((failure) => {
      if (!res.headersSent) sendJson(res, 500, "internal", (failure as Error).message);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === "IPv6" || addr.address.includes(":") ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${hostForUrl}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
