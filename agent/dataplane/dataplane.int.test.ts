/** Real HTTP on 127.0.0.1 (random free ports), real files. */
import { randomBytes, createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ChecksumMismatchError, downloadVerified, TransferAuthError, TransferNotFoundError } from "./client";
import { sha256File } from "./hash";
import { createDataPlaneServer, parseRange, type DataPlaneServer, type ServedEvent, type TransferGrant } from "./server";
import { startFaultyProxy, type FaultyProxy } from "./test-proxy";
import { dataPlaneKey, openSeal, sealGrant } from "@/lib/agent-protocol/grant-seal";

const dir = mkdtempSync(path.join(tmpdir(), "br-dp-"));
const SIZE = 5 * 1024 * 1024 + 123;
const data = randomBytes(SIZE);
const sha = createHash("sha256").update(data).digest("hex");
const src = path.join(dir, "src", "model.bin");
const grants = new Map<string, TransferGrant>();
const authorizeCalls: string[] = [];
const served: ServedEvent[] = [];
let failAuthorizeTimes = 0;
let server: DataPlaneServer;
let proxy: FaultyProxy | null = null;
let count = 0;

beforeAll(async () => {
  mkdirSync(path.dirname(src), { recursive: true });
  writeFileSync(src, data);
  writeFileSync(path.join(dir, "src", "secret.txt"), "not for you");
  grants.set("tok-good", { transferId: "t1", path: src, bytes: SIZE, sha256: sha });
  grants.set("tok-dir", { transferId: "t2", path: path.dirname(src), bytes: 0, sha256: sha });
  server = await createDataPlaneServer({
    host: "127.0.0.1",
    port: 0,
    grantCacheMs: 0, // every request goes through authorize in these tests
    onServed: (event) => served.push(event),
    authorize: async (token) => {
      authorizeCalls.push(token);
      if (failAuthorizeTimes > 0) {
        failAuthorizeTimes -= 1;
        throw new Error("dashboard unreachable");
      }
      return grants.get(token) ?? null;
    },
  });
});
afterEach(async () => {
  await proxy?.close();
  proxy = null;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function dest(): string {
  count += 1;
  return path.join(dir, `dest${count}`, "model.bin");
}

function raw(
  pathAndQuery: string,
  headers: http.OutgoingHttpHeaders = {},
  port = server.port,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: pathAndQuery, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("data plane (server + client over loopback)", () => {
  it("downloads a file in full, verified, with progress and no .part left", async () => {
    const destination = dest();
    mkdirSync(path.dirname(destination), { recursive: true });
    const progress: number[] = [];
    const result = await downloadVerified({
      url: `${server.url}/v1/transfers/t1`,
      token: "tok-good",
      destPath: destination,
      expectedBytes: SIZE,
      expectedSha256: sha,
      onProgress: (done, total) => {
        expect(total).toBe(SIZE);
        progress.push(done);
      },
    });
    expect(result).toMatchObject({ bytes: SIZE, attempts: 1, resumedFromBytes: 0, sha256: sha });
    expect(result.startupSeconds).toBeGreaterThan(0);
    expect(result.startupSeconds).toBeLessThanOrEqual(result.seconds);
    expect(progress.at(-1)).toBe(SIZE);
    expect(await sha256File(destination)).toBe(sha);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it("rejects a forged/unknown token with 401 (typed error), writes nothing", async () => {
    const destination = dest();
    mkdirSync(path.dirname(destination), { recursive: true });
    const pending = downloadVerified({
      url: `${server.url}/v1/transfers/t1`,
      token: "tok-forged",
      destPath: destination,
      expectedBytes: SIZE,
      expectedSha256: sha,
    });
    await expect(pending).rejects.toBeInstanceOf(TransferAuthError);
    await expect(pending).rejects.toMatchObject({ status: 401, retryable: false });
    expect(existsSync(destination) || existsSync(`${destination}.part`)).toBe(false);
    const noAuth = await raw("/v1/transfers/t1");
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers["www-authenticate"]).toBe("Bearer");
    expect(JSON.parse(noAuth.body.toString())).toMatchObject({ error: "unauthorized" });
  });

  it("a token for another transfer gets 403", async () => {
    const response = await raw("/v1/transfers/t9", { Authorization: "Bearer tok-good" });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body.toString()).error).toBe("forbidden");
  });

  it("never takes the file path from the URL", async () => {
    authorizeCalls.length = 0;
    // traversal attempts in the path: not a route at all
    for (const urlPath of [
      "/v1/transfers/..%2F..%2Fetc%2Fpasswd",
      "/v1/transfers/t1/../../../etc/passwd",
      "/v1/transfers/%2Fetc%2Fpasswd",
      "/etc/passwd",
    ]) {
      const response = await raw(urlPath, { Authorization: "Bearer tok-good" });
      expect(response.status, urlPath).toBe(404);
      expect(response.body.toString()).not.toContain("root:");
    }
    // query strings and extra parameters are ignored: the grant's file is served, nothing else
    const response = await raw(`/v1/transfers/t1?path=${encodeURIComponent(path.join(dir, "src", "secret.txt"))}&file=/etc/passwd`, {
      Authorization: "Bearer tok-good",
      Range: "bytes=0-15",
    });
    expect(response.status).toBe(206);
    expect(response.body.equals(data.subarray(0, 16))).toBe(true);
    // authorize only ever sees the token
    expect(authorizeCalls.every((token) => token === "tok-good")).toBe(true);
    // a grant naming a directory is not served
    expect((await raw("/v1/transfers/t2", { Authorization: "Bearer tok-dir" })).status).toBe(404);
  });

  it("serves ranges (206) and refuses unsatisfiable ones (416 with JSON)", async () => {
    const response = await raw("/v1/transfers/t1", { Authorization: "Bearer tok-good", Range: "bytes=10-19" });
    expect(response.status).toBe(206);
    expect(response.headers["content-range"]).toBe(`bytes 10-19/${SIZE}`);
    expect(response.body.equals(data.subarray(10, 20))).toBe(true);
    const bad = await raw("/v1/transfers/t1", { Authorization: "Bearer tok-good", Range: `bytes=${SIZE}-` });
    expect(bad.status).toBe(416);
    expect(bad.headers["content-range"]).toBe(`bytes */${SIZE}`);
    expect(JSON.parse(bad.body.toString()).error).toBe("range_not_satisfiable");
    expect(parseRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=0-1,5-6", 100)).toBeNull();
  });

  it("resumes with Range after the connection drops mid-stream", async () => {
    // The proxy stands in for a flaky network: it cuts the first connection after ~1 MiB.
    proxy = await startFaultyProxy({ target: { host: "127.0.0.1", port: server.port }, cutAfterBytes: 1024 * 1024 + 7 });
    const destination = dest();
    mkdirSync(path.dirname(destination), { recursive: true });
    served.length = 0;
    const result = await downloadVerified({
      url: `${proxy.url}/v1/transfers/t1`,
      token: "tok-good",
      destPath: destination,
      expectedBytes: SIZE,
      expectedSha256: sha,
      retryDelayMs: 10,
    });
    expect(result.attempts).toBe(2);
    expect(result.resumedFromBytes).toBeGreaterThan(900 * 1024);
    expect(result.resumedFromBytes).toBeLessThan(1024 * 1024 + 7);
    expect(await sha256File(destination)).toBe(sha);
    await new Promise((res) => setTimeout(res, 50));
    expect(served.some((event) => event.status === 206 && event.start === result.resumedFromBytes && event.complete)).toBe(true);
  });

  it("resumes from a .part left by an earlier call (re-hashing it first)", async () => {
    const destination = dest();
    mkdirSync(path.dirname(destination), { recursive: true });
    writeFileSync(`${destination}.part`, data.subarray(0, 3_000_000));
    const result = await downloadVerified({
      url: `${server.url}/v1/transfers/t1`,
      token: "tok-good",
      destPath: destination,
      expectedBytes: SIZE,
      expectedSha256: sha,
    });
    expect(result).toMatchObject({ attempts: 1, resumedFromBytes: 3_000_000 });
    expect(readFileSync(destination).equals(data)).toBe(true);
  });

  it("detects corrupted bytes: ChecksumMismatchError, .part deleted, destination never appears", async () => {
    // The proxy stands in for a corrupting network: it flips one byte in the middle of the body.
    proxy = await startFaultyProxy({ target: { host: "127.0.0.1", port: server.port }, flipBodyByteAt: 2_500_000 });
    const destination = dest();
    mkdirSync(path.dirname(destination), { recursive: true });
    const pending = downloadVerified({
      url: `${proxy.url}/v1/transfers/t1`,
      token: "tok-good",
      destPath: destination,
      expectedBytes: SIZE,
      expectedSha256: sha,
    });
    await expect(pending).rejects.toBeInstanceOf(ChecksumMismatchError);
    const event = (await pending.catch((reason) => reason)) as ChecksumMismatchError;
    expect(event.expectedSha256).toBe(sha);
    expect(event.actualSha256).not.toBe(sha);
    expect(existsSync(destination)).toBe(false);
    expect(existsSync(`${destination}.part`)).toBe(false);
    // a corrupted leftover .part is caught too, and the retry from zero then works
    writeFileSync(`${destination}.part`, Buffer.from(data.subarray(0, 1000)).fill(0));
    await expect(
      downloadVerified({
        url: `${server.url}/v1/transfers/t1`,
        token: "tok-good",
        destPath: destination,
        expectedBytes: SIZE,
        expectedSha256: sha,
      }),
    ).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect(existsSync(destination)).toBe(false);
    const ok = await downloadVerified({
      url: `${server.url}/v1/transfers/t1`,
      token: "tok-good",
      destPath: destination,
      expectedBytes: SIZE,
      expectedSha256: sha,
    });
    expect(ok.attempts).toBe(1);
    expect(await sha256File(destination)).toBe(sha);
  });

  it("a wrong expected size is a mismatch too (nothing written)", async () => {
    const destination = dest();
    mkdirSync(path.dirname(destination), { recursive: true });
    await expect(
      downloadVerified({
        url: `${server.url}/v1/transfers/t1`,
        token: "tok-good",
        destPath: destination,
        expectedBytes: SIZE - 1,
        expectedSha256: sha,
      }),
    ).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect(existsSync(destination) || existsSync(`${destination}.part`)).toBe(false);
  });

  it("retries when the authorisation service is briefly unavailable (503); 404 when the file is gone", async () => {
    failAuthorizeTimes = 1;
    const destination = dest();
    mkdirSync(path.dirname(destination), { recursive: true });
    const result = await downloadVerified({
      url: `${server.url}/v1/transfers/t1`,
      token: "tok-good",
      destPath: destination,
      expectedBytes: SIZE,
      expectedSha256: sha,
      retryDelayMs: 10,
    });
    expect(result.attempts).toBe(2);
    grants.set("tok-gone", { transferId: "t3", path: path.join(dir, "nope.bin"), bytes: 1, sha256: sha });
    await expect(
      downloadVerified({
        url: `${server.url}/v1/transfers/t3`,
        token: "tok-gone",
        destPath: dest(),
        expectedBytes: 1,
        expectedSha256: sha,
      }),
    ).rejects.toBeInstanceOf(TransferNotFoundError);
  });

  it("aborting keeps the .part for a later resume", async () => {
    // slow path: cut every connection quickly so the download keeps retrying, then abort
    proxy = await startFaultyProxy({ target: { host: "127.0.0.1", port: server.port }, cutAfterBytes: 300_000, cutConnections: 100 });
    const destination = dest();
    mkdirSync(path.dirname(destination), { recursive: true });
    const abortController = new AbortController();
    const pending = downloadVerified({
      url: `${proxy.url}/v1/transfers/t1`,
      token: "tok-good",
      destPath: destination,
      expectedBytes: SIZE,
      expectedSha256: sha,
      signal: abortController.signal,
      retryDelayMs: 50,
      maxAttempts: 100,
      onProgress: (done) => {
        if (done > 600_000) abortController.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ name: "TransferAbortedError" });
    expect(existsSync(`${destination}.part`)).toBe(true);
    const result = await downloadVerified({
      url: `${server.url}/v1/transfers/t1`,
      token: "tok-good",
      destPath: destination,
      expectedBytes: SIZE,
      expectedSha256: sha,
    });
    expect(result.resumedFromBytes).toBeGreaterThan(0);
    expect(await sha256File(destination)).toBe(sha);
  });
});

/** A stand-in for the dashboard's authorize: each token is good once; answers take `delayMs` (a round trip). */
function singleUse(tokens: [string, TransferGrant][], delayMs = 0) {
  const once = new Map(tokens);
  const calls: string[] = [];
  return {
    calls,
    authorize: async (token: string) => {
      calls.push(token);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const grant = once.get(token) ?? null;
      once.delete(token);
      return grant;
    },
  };
}

describe("data plane with single-use tokens (grant cache)", () => {
  it("a resume after a drop still works when the dashboard's authorize consumes the token", async () => {
    const dashboard = singleUse([["one-shot", { transferId: "t1", path: src, bytes: SIZE, sha256: sha }]]);
    const dataPlane = await createDataPlaneServer({ host: "127.0.0.1", port: 0, authorize: dashboard.authorize });
    const faultyProxy = await startFaultyProxy({ target: { host: "127.0.0.1", port: dataPlane.port }, cutAfterBytes: 2_000_000 });
    try {
      const destination = dest();
      mkdirSync(path.dirname(destination), { recursive: true });
      const result = await downloadVerified({
        url: `${faultyProxy.url}/v1/transfers/t1`,
        token: "one-shot",
        destPath: destination,
        expectedBytes: SIZE,
        expectedSha256: sha,
        retryDelayMs: 10,
      });
      expect(result.attempts).toBe(2);
      expect(await sha256File(destination)).toBe(sha);
      expect(dashboard.calls).toEqual(["one-shot"]); // two connections, one look-up
      // once the remembered grant expires, the same server asks again and the used token is refused
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() + 16 * 60_000);
      expect((await raw("/v1/transfers/t1", { Authorization: "Bearer one-shot" }, dataPlane.port)).status).toBe(401);
      expect(dashboard.calls).toEqual(["one-shot", "one-shot"]);
    } finally {
      vi.useRealTimers();
      await faultyProxy.close();
      await dataPlane.close();
    }
  });

  it("parallel range streams share one look-up of a single-use token, and resume after a drop", async () => {
    // the look-up takes a while, so the three streams' requests all arrive before it is answered
    const dashboard = singleUse([["parallel", { transferId: "t1", path: src, bytes: SIZE, sha256: sha }]], 50);
    const dataPlane = await createDataPlaneServer({ host: "127.0.0.1", port: 0, authorize: dashboard.authorize });
    // the first connection (one of the three streams) is cut after ~1 MiB
    const faultyProxy = await startFaultyProxy({ target: { host: "127.0.0.1", port: dataPlane.port }, cutAfterBytes: 1_000_000 });
    try {
      const destination = dest();
      const result = await downloadVerified({
        url: `${faultyProxy.url}/v1/transfers/t1`,
        token: "parallel",
        destPath: destination,
        expectedBytes: SIZE,
        expectedSha256: sha,
        retryDelayMs: 10,
        streams: 3,
        minRangeBytes: 1024 * 1024,
      });
      expect(result.attempts).toBe(2);
      expect(faultyProxy.connections).toBeGreaterThanOrEqual(4);
      expect(readFileSync(destination).equals(data)).toBe(true);
      expect(existsSync(`${destination}.part`)).toBe(false);
      expect(dashboard.calls).toEqual(["parallel"]);
    } finally {
      await faultyProxy.close();
      await dataPlane.close();
    }
  });
});

describe("data plane against floods of bogus tokens", () => {
  it("#11 refusals are remembered (one look-up per bogus token) and look-ups are limited per client address", async () => {
    const dashboard = singleUse([]);
    const dataPlane = await createDataPlaneServer({ host: "127.0.0.1", port: 0, lookupsPerMinute: 5, authorize: dashboard.authorize });
    try {
      for (let index = 0; index < 10; index++)
        expect((await raw("/v1/transfers/t1", { Authorization: "Bearer bogus" }, dataPlane.port)).status).toBe(401);
      expect(dashboard.calls).toEqual(["bogus"]);
      const statuses: number[] = [];
      for (let index = 0; index < 6; index++)
        statuses.push((await raw("/v1/transfers/t1", { Authorization: `Bearer bogus-${index}` }, dataPlane.port)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
      expect(dashboard.calls).toHaveLength(5);
    } finally {
      await dataPlane.close();
    }
  });
});

describe("data plane with sealed grants (the dashboard's signature, its answer alongside)", () => {
  const key = dataPlaneKey("a-dashboard-secret-of-at-least-32-characters", "edge-agent");
  const sealFor = (token: string, grant: TransferGrant, expiresAt = Date.now() + 60_000) =>
    sealGrant(key, { ...grant, tokenHash: createHash("sha256").update(token).digest("hex"), expiresAt });
  const grant: TransferGrant = { transferId: "t1", path: src, bytes: SIZE, sha256: sha };

  /** A data plane whose dashboard answers after `delayMs`, with `answer` (the grant, or null for a refusal). */
  async function sealedPlane(delayMs: number, answer: (token: string) => TransferGrant | null) {
    const calls: string[] = [];
    const dataPlane = await createDataPlaneServer({
      host: "127.0.0.1",
      port: 0,
      authorize: async (token) => {
        calls.push(token);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return answer(token);
      },
      openSeal: async (seal, token, transferId) => openSeal(key, seal, token, transferId),
    });
    return { dataPlane, calls };
  }

  it("serves at once on a valid seal; the dashboard, asked alongside, confirms", async () => {
    const { dataPlane, calls } = await sealedPlane(400, () => grant);
    try {
      const destination = dest();
      const result = await downloadVerified({
        url: `${dataPlane.url}/v1/transfers/t1`,
        token: "tok-sealed",
        seal: sealFor("tok-sealed", grant),
        destPath: destination,
        expectedBytes: SIZE,
        expectedSha256: sha,
      });
      // the first byte came long before the dashboard's answer (400 ms)
      expect(result.startupSeconds).toBeLessThan(0.2);
      expect(readFileSync(destination).equals(data)).toBe(true);
      expect(calls).toEqual(["tok-sealed"]);
    } finally {
      await dataPlane.close();
    }
  });

  it("cuts the response when the dashboard refuses what the seal granted (a cancelled run's token)", async () => {
    const { dataPlane } = await sealedPlane(30, () => null);
    try {
      const body = new Promise<{ received: number; error: string | null }>((resolve) => {
        const request = http.request(
          `${dataPlane.url}/v1/transfers/t1`,
          { headers: { Authorization: "Bearer tok-cancelled", "X-Transfer-Seal": sealFor("tok-cancelled", grant) } },
          (response) => {
            expect(response.statusCode).toBe(200);
            let received = 0;
            // A slow reader: the refusal arrives long before the file could have been sent.
            response.pause();
            setTimeout(() => response.resume(), 300);
            response.on("data", (chunk: Buffer) => (received += chunk.length));
            response.on("end", () => resolve({ received, error: null }));
            response.on("error", (error) => resolve({ received, error: error.message }));
            response.on("aborted", () => resolve({ received, error: "aborted" }));
          },
        );
        request.on("error", (error) => resolve({ received: 0, error: error.message }));
        request.end();
      });
      const { received, error } = await body;
      expect(error).not.toBeNull();
      expect(received).toBeLessThan(SIZE);
      // the refusal is remembered: the same token, sealed or not, gets 401 without a stream
      const again = await raw(
        "/v1/transfers/t1",
        { Authorization: "Bearer tok-cancelled", "X-Transfer-Seal": sealFor("tok-cancelled", grant) },
        dataPlane.port,
      );
      expect(again.status).toBe(401);
    } finally {
      await dataPlane.close();
    }
  });

  it("ignores a seal that is not the dashboard's, not for this token or transfer, or expired: the dashboard decides first", async () => {
    const { dataPlane, calls } = await sealedPlane(50, () => null);
    try {
      const otherKey = dataPlaneKey("a-dashboard-secret-of-at-least-32-characters", "another-agent");
      const forged = sealGrant(otherKey, {
        ...grant,
        tokenHash: createHash("sha256").update("tok-a").digest("hex"),
        expiresAt: Date.now() + 60_000,
      });
      const cases: Array<[string, string]> = [
        ["tok-a", forged],
        ["tok-b", sealFor("tok-someone-else", grant)],
        ["tok-c", sealFor("tok-c", { ...grant, transferId: "t9" })],
        ["tok-d", sealFor("tok-d", grant, Date.now() - 1)],
      ];
      for (const [token, seal] of cases) {
        const response = await raw("/v1/transfers/t1", { Authorization: `Bearer ${token}`, "X-Transfer-Seal": seal }, dataPlane.port);
        expect(response.status, token).toBe(401);
        expect(response.body.length).toBeLessThan(200);
      }
      expect(calls).toEqual(["tok-a", "tok-b", "tok-c", "tok-d"]);
    } finally {
      await dataPlane.close();
    }
  });
});
