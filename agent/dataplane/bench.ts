/**
 * Data-plane benchmark on loopback: one 256 MiB file through server + downloadVerified (streaming,
 * sha256 on the receiving side, atomic rename) vs plain local copies of the same bytes in the same
 * run, plus time-to-first-byte over 20 small transfers.
 *
 *   npx tsx agent/dataplane/bench.ts            (BENCH_MIB=256 BENCH_DIR=/tmp BENCH_REPEATS=3)
 *
 * The server runs in a child process (as between two agents); transferSecondsSameProcess is the
 * same download with the server inside the benchmark process. Prints one JSON object. throughputRatio = copySeconds / transferSeconds (1.0 = as fast as a
 * plain stream copy); both sides run without fsync so they are compared like for like
 * (transferSecondsFsync shows the default, durable mode). Figures are medians of BENCH_REPEATS runs,
 * interleaved; `best` gives best-of-N, which is steadier on a machine shared with other work.
 */
import { fork } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdtemp, open, rm, unlink, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { downloadVerified } from "./client";
import { createDataPlaneServer, type TransferGrant } from "./server";

const MIB = 1024 * 1024;
const bytes = Number(process.env.BENCH_MIB ?? 256) * MIB;
const repeats = Number(process.env.BENCH_REPEATS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(process.env.BENCH_DIR ?? tmpdir(), "br-bench-"));
  try {
    // source file
    const src = path.join(dir, "src.bin");
    const h = createHash("sha256");
    const fh = await open(src, "w");
    for (let off = 0; off < bytes; off += 8 * MIB) {
      const b = randomBytes(Math.min(8 * MIB, bytes - off));
      h.update(b);
      await fh.write(b);
    }
    await fh.close();
    const sha256 = h.digest("hex");

    const small = path.join(dir, "small.bin");
    const smallData = randomBytes(4096);
    await writeFile(small, smallData);
    const smallSha = createHash("sha256").update(smallData).digest("hex");

    const grants = new Map<string, TransferGrant>([
      ["big", { transferId: "big", path: src, bytes, sha256 }],
      ["small", { transferId: "small", path: small, bytes: 4096, sha256: smallSha }],
    ]);
    // The serving agent runs in its own process, as it does between two agents.
    const child = fork(process.argv[1], [], {
      env: { ...process.env, BENCH_ROLE: "server", BENCH_GRANTS: JSON.stringify([...grants]) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once("message", (m) => resolve((m as { port: number }).port));
      child.once("exit", (c) => reject(new Error(`bench server exited with ${c}`)));
    });
    const server = { url: `http://127.0.0.1:${port}`, close: async () => void child.kill("SIGTERM") };
    const inproc = await createDataPlaneServer({ host: "127.0.0.1", port: 0, authorize: async (t) => grants.get(t) ?? null });

    const dst = path.join(dir, "dst.bin");
    const copyFileS: number[] = [];
    const streamCopyS: number[] = [];
    const transferS: number[] = [];
    const transferFsyncS: number[] = [];
    const transferSameProcS: number[] = [];
    for (let i = 0; i < repeats; i++) {
      copyFileS.push(await timed(() => copyFile(src, dst)));
      await unlink(dst);
      streamCopyS.push(await timed(() => pipeline(createReadStream(src, { highWaterMark: MIB }), createWriteStream(dst))));
      await unlink(dst);
      const r = await downloadVerified({
        url: `${server.url}/v1/transfers/big`,
        token: "big",
        destPath: dst,
        expectedBytes: bytes,
        expectedSha256: sha256,
        fsync: false,
      });
      transferS.push(r.seconds);
      await unlink(dst);
      const rf = await downloadVerified({
        url: `${server.url}/v1/transfers/big`,
        token: "big",
        destPath: dst,
        expectedBytes: bytes,
        expectedSha256: sha256,
      });
      transferFsyncS.push(rf.seconds);
      await unlink(dst);
      const rs = await downloadVerified({
        url: `${inproc.url}/v1/transfers/big`,
        token: "big",
        destPath: dst,
        expectedBytes: bytes,
        expectedSha256: sha256,
        fsync: false,
      });
      transferSameProcS.push(rs.seconds);
      await unlink(dst);
    }

    const startup: number[] = [];
    const smallTotal: number[] = [];
    for (let i = 0; i < 20; i++) {
      const d = path.join(dir, `s${i}.bin`);
      const r = await downloadVerified({
        url: `${server.url}/v1/transfers/small`,
        token: "small",
        destPath: d,
        expectedBytes: 4096,
        expectedSha256: smallSha,
        fsync: false,
      });
      startup.push(r.startupSeconds * 1000);
      smallTotal.push(r.seconds * 1000);
    }
    await server.close();
    await inproc.close();

    const copySeconds = median(streamCopyS);
    const transferSeconds = median(transferS);
    const out = {
      bytes,
      repeats,
      copySeconds: +copySeconds.toFixed(4),
      copyFileSeconds: +median(copyFileS).toFixed(4),
      transferSeconds: +transferSeconds.toFixed(4),
      transferSecondsFsync: +median(transferFsyncS).toFixed(4),
      transferSecondsSameProcess: +median(transferSameProcS).toFixed(4),
      throughputRatio: +(copySeconds / transferSeconds).toFixed(3),
      throughputRatioVsCopyFile: +(median(copyFileS) / transferSeconds).toFixed(3),
      transferMiBps: +(bytes / MIB / transferSeconds).toFixed(1),
      // best-of-N: least disturbed by other work on a shared machine
      best: {
        copySeconds: +Math.min(...streamCopyS).toFixed(4),
        transferSeconds: +Math.min(...transferS).toFixed(4),
        throughputRatio: +(Math.min(...streamCopyS) / Math.min(...transferS)).toFixed(3),
      },
      loadAverage1m: loadavg()[0],
      startupMs: { p50: +pct(startup, 50).toFixed(2), p95: +pct(startup, 95).toFixed(2) },
      smallTransferTotalMs: { p50: +pct(smallTotal, 50).toFixed(2), p95: +pct(smallTotal, 95).toFixed(2) },
      raw: { copyFileS, streamCopyS, transferS, transferFsyncS, transferSameProcS },
    };
    console.log(JSON.stringify(out, null, 1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function serve(): Promise<void> {
  const grants = new Map<string, TransferGrant>(JSON.parse(process.env.BENCH_GRANTS ?? "[]") as [string, TransferGrant][]);
  const server = await createDataPlaneServer({ host: "127.0.0.1", port: 0, authorize: async (t) => grants.get(t) ?? null });
  process.send?.({ port: server.port });
  process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
  process.on("disconnect", () => void server.close().then(() => process.exit(0)));
}

(process.env.BENCH_ROLE === "server" ? serve() : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
