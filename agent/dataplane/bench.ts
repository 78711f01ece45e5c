/**
 * Data-plane benchmark on loopback, at 256 MiB and 2 GiB: agent-to-agent transfer (our server in a
 * child process, as between two agents, and downloadVerified: range streams, sha256 of the received
 * file, atomic rename) against baselines measured in the same run on the same bytes:
 *   - copyFile:    fs.copyFile (copy_file_range in the kernel; no user-space copy)
 *   - streamCopy:  fs read stream piped into a write stream (1 MiB chunks; the write stream joins chunks that
 *                  queue behind a write into one larger write, which on this machine now and then takes ten
 *                  times as long: see WRITE_BATCH in client.ts)
 *   - catCopy:     coreutils `cat` into the destination (128 KiB writes: the steadiest plain copy here)
 *   - curlStatic:  curl (not ours) fetching the file from `python3 -m http.server` (not ours), no hashing
 * and two limits of this machine, measured beside them, that any sha256-verified HTTP transfer must pay:
 *   - sha256Alone:    `openssl dgst -sha256` of the file (OpenSSL's SHA-NI code, page cache): verifying alone
 *   - curlStaticNull: the curl fetch written to /dev/null: moving the bytes over loopback HTTP alone
 * Their ratios to the copies say how close to a copy a verified transfer can come in that run.
 * Every ratio is baseline seconds / our seconds (1.0 = as fast as the baseline). Ours runs without fsync
 * like the baselines; oursFsync is the default, durable mode. Figures are medians of BENCH_REPEATS
 * interleaved runs, `best` the best of them (steadier on a machine shared with other work).
 *
 *   node --import tsx agent/dataplane/bench.ts     (BENCH_SIZES_MIB=256,2048 BENCH_REPEATS=3 BENCH_DIR=/tmp BENCH_STREAMS=…)
 *
 * Also: time to first byte and total time over 20 small (4 KiB) transfers. Prints one JSON object.
 */
import { execFile, fork, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdtemp, open, rm, statfs, unlink, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { downloadVerified, type DownloadOptions } from "./client";
import type { TransferGrant } from "./server";
import { createDataPlaneServer } from "./server";

const MIB = 1024 * 1024;
const sizesMiB = (process.env.BENCH_SIZES_MIB ?? "256,2048").split(",").map(Number);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const streams = process.env.BENCH_STREAMS ? Number(process.env.BENCH_STREAMS) : undefined;
const run = promisify(execFile);

const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor((values.length - 1) / 2)];
const round = (value: number, digits = 4) => +value.toFixed(digits);
function pct(values: number[], percentile: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil((percentile / 100) * sorted.length) - 1)];
}
async function timed(work: () => Promise<unknown>): Promise<number> {
  const startedAt = performance.now();
  await work();
  return (performance.now() - startedAt) / 1000;
}

async function writeRandomFile(file: string, bytes: number): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(file, "w");
  for (let offset = 0; offset < bytes; offset += 8 * MIB) {
    const block = randomBytes(Math.min(8 * MIB, bytes - offset));
    hash.update(block);
    await handle.write(block);
  }
  await handle.close();
  return hash.digest("hex");
}

/** Our data-plane server in a child process; resolves with its port. */
async function startOurServer(grants: [string, TransferGrant][]) {
  const child = fork(process.argv[1], [], {
    env: { ...process.env, BENCH_ROLE: "server", BENCH_GRANTS: JSON.stringify(grants) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (parentMessage) => resolve((parentMessage as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => void child.kill("SIGTERM") };
}

/** `python3 -m http.server` serving `dir` (a static file server none of us wrote). */
async function startStaticServer(dir: string) {
  const server = spawn("/usr/bin/python3", ["-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let text = "";
    server.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = /port (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    server.once("exit", (code) => reject(new Error(`python3 -m http.server exited with ${code}`)));
  });
  server.stderr.resume(); // its request log
  return { url: `http://127.0.0.1:${port}`, stop: () => void server.kill("SIGTERM") };
}

interface Figure {
  seconds: number;
  MiBps: number;
}
const figure = (seconds: number, bytes: number): Figure => ({ seconds: round(seconds), MiBps: round(bytes / MIB / seconds, 1) });
const ratio = (baselineSeconds: number, ourSeconds: number) => round(baselineSeconds / ourSeconds, 3);

async function benchSize(dir: string, mib: number) {
  const bytes = mib * MIB;
  const source = path.join(dir, "source.bin");
  const sha256 = await writeRandomFile(source, bytes);
  const ours = await startOurServer([["big", { transferId: "big", path: source, bytes, sha256 }]]);
  const staticServer = await startStaticServer(dir);
  const destination = path.join(dir, "destination.bin");
  const download = (extra: Partial<DownloadOptions>) =>
    downloadVerified({
      url: `${ours.url}/v1/transfers/big`,
      token: "big",
      destPath: destination,
      expectedBytes: bytes,
      expectedSha256: sha256,
      streams,
      ...extra,
    });
  const samples = {
    copyFile: [] as number[],
    streamCopy: [] as number[],
    catCopy: [] as number[],
    curlStatic: [] as number[],
    sha256Alone: [] as number[],
    curlStaticNull: [] as number[],
    ours: [] as number[],
    oursFsync: [] as number[],
  };
  try {
    for (let index = 0; index < repeats; index++) {
      samples.copyFile.push(await timed(() => copyFile(source, destination)));
      await unlink(destination);
      samples.streamCopy.push(
        await timed(() => pipeline(createReadStream(source, { highWaterMark: MIB }), createWriteStream(destination))),
      );
      await unlink(destination);
      samples.catCopy.push(await timed(() => run("sh", ["-c", 'cat "$0" > "$1"', source, destination])));
      await unlink(destination);
      samples.curlStatic.push(await timed(() => run("curl", ["-sSf", "-o", destination, `${staticServer.url}/source.bin`])));
      await unlink(destination);
      samples.sha256Alone.push(await timed(() => run("openssl", ["dgst", "-sha256", source])));
      samples.curlStaticNull.push(await timed(() => run("curl", ["-sSf", "-o", "/dev/null", `${staticServer.url}/source.bin`])));
      samples.ours.push((await download({ fsync: false })).seconds);
      await unlink(destination);
      samples.oursFsync.push((await download({})).seconds);
      await unlink(destination);
    }
  } finally {
    ours.stop();
    staticServer.stop();
    await unlink(source);
  }
  const med = Object.fromEntries(Object.entries(samples).map(([key, value]) => [key, median(value)])) as Record<
    keyof typeof samples,
    number
  >;
  const best = Object.fromEntries(Object.entries(samples).map(([key, value]) => [key, Math.min(...value)])) as Record<
    keyof typeof samples,
    number
  >;
  return {
    bytes,
    ours: figure(med.ours, bytes),
    oursFsync: figure(med.oursFsync, bytes),
    baselines: {
      copyFile: figure(med.copyFile, bytes),
      streamCopy: figure(med.streamCopy, bytes),
      catCopy: figure(med.catCopy, bytes),
      curlStatic: figure(med.curlStatic, bytes),
    },
    limits: {
      sha256Alone: figure(med.sha256Alone, bytes),
      curlStaticNull: figure(med.curlStaticNull, bytes),
      sha256AloneVsStreamCopy: ratio(med.streamCopy, med.sha256Alone),
      curlStaticNullVsStreamCopy: ratio(med.streamCopy, med.curlStaticNull),
      sha256AloneVsCatCopy: ratio(med.catCopy, med.sha256Alone),
      curlStaticNullVsCatCopy: ratio(med.catCopy, med.curlStaticNull),
    },
    ratios: {
      oursVsStreamCopy: ratio(med.streamCopy, med.ours),
      oursVsCatCopy: ratio(med.catCopy, med.ours),
      oursVsCopyFile: ratio(med.copyFile, med.ours),
      oursVsCurlStatic: ratio(med.curlStatic, med.ours),
      oursVsSha256Alone: ratio(med.sha256Alone, med.ours),
      curlStaticVsStreamCopy: ratio(med.streamCopy, med.curlStatic),
    },
    best: {
      oursVsStreamCopy: ratio(best.streamCopy, best.ours),
      oursVsCatCopy: ratio(best.catCopy, best.ours),
      oursVsCopyFile: ratio(best.copyFile, best.ours),
      oursVsCurlStatic: ratio(best.curlStatic, best.ours),
      sha256AloneVsStreamCopy: ratio(best.streamCopy, best.sha256Alone),
    },
    rawSeconds: Object.fromEntries(Object.entries(samples).map(([key, value]) => [key, value.map((value) => round(value))])),
  };
}

async function benchSmall(dir: string) {
  const small = path.join(dir, "small.bin");
  const data = randomBytes(4096);
  await writeFile(small, data);
  const sha256 = createHash("sha256").update(data).digest("hex");
  const ours = await startOurServer([["small", { transferId: "small", path: small, bytes: 4096, sha256 }]]);
  const startupMs: number[] = [];
  const totalMs: number[] = [];
  try {
    for (let index = 0; index < 20; index++) {
      const result = await downloadVerified({
        url: `${ours.url}/v1/transfers/small`,
        token: "small",
        destPath: path.join(dir, `small-${index}.bin`),
        expectedBytes: 4096,
        expectedSha256: sha256,
        fsync: false,
      });
      startupMs.push(result.startupSeconds * 1000);
      totalMs.push(result.seconds * 1000);
    }
  } finally {
    ours.stop();
  }
  return {
    startupMs: { p50: round(pct(startupMs, 50), 2), p95: round(pct(startupMs, 95), 2) },
    smallTransferTotalMs: { p50: round(pct(totalMs, 50), 2), p95: round(pct(totalMs, 95), 2) },
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(process.env.BENCH_DIR ?? tmpdir(), "br-bench-"));
  try {
    const disk = await statfs(dir);
    const results: Record<string, unknown> = {};
    for (const mib of sizesMiB) {
      // source + destination + part, with room to spare
      if (disk.bavail * disk.bsize < 3 * mib * MIB) {
        results[`${mib}MiB`] = { skipped: `not enough free disk in ${dir}` };
        continue;
      }
      results[`${mib}MiB`] = await benchSize(dir, mib);
    }
    const out = {
      repeats,
      streams: streams ?? "default",
      baselineNote:
        "curlStatic = curl 7 fetching from python3 -m http.server (neither ours); copies and ours without fsync; limits = what verifying alone (openssl dgst) and moving the bytes alone (curl to /dev/null) take in the same run",
      ...results,
      small: await benchSmall(dir),
      loadAverage1m: loadavg()[0],
    };
    console.log(JSON.stringify(out, null, 1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function serve(): Promise<void> {
  const grants = new Map<string, TransferGrant>(JSON.parse(process.env.BENCH_GRANTS ?? "[]") as [string, TransferGrant][]);
  const server = await createDataPlaneServer({ host: "127.0.0.1", port: 0, authorize: async (token) => grants.get(token) ?? null });
  process.send?.({ port: server.port });
  process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
  process.on("disconnect", () => void server.close().then(() => process.exit(0)));
}

(process.env.BENCH_ROLE === "server" ? serve() : main()).catch((failure) => {
  console.error(failure);
  process.exit(1);
});
