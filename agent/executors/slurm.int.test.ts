/**
 * Real Slurm: the test brings the one-node cluster up with scripts/slurm/start.sh (idempotent) and
 * fails — never skips — when it cannot.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "./procfs";
import { SlurmExecutor } from "./slurm";
import type { ExecutorStatus, JobHandle, JobSpec } from "./types";

const repo = path.resolve(__dirname, "../..");
let slurmConf = "";
let stateDir = "";
const root = mkdtempSync("/tmp/br-slurm-");
afterAll(() => rmSync(root, { recursive: true, force: true }));

function startCluster(): void {
  try {
    const out = execFileSync("bash", [path.join(repo, "scripts/slurm/start.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 300_000,
    });
    const m = /^export SLURM_CONF=(.+)$/m.exec(out);
    if (!m) throw new Error(`start.sh printed no SLURM_CONF line: ${out}`);
    slurmConf = m[1].replace(/^'|'$/g, "");
    stateDir = path.dirname(slurmConf);
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`Slurm could not be started by scripts/slurm/start.sh: ${err.message}\n${err.stderr ?? ""}${err.stdout ?? ""}`);
  }
}

beforeAll(() => {
  startCluster();
  expect(existsSync(slurmConf)).toBe(true);
}, 300_000);

let n = 0;
function spec(argv: string[], extra: Partial<JobSpec> = {}): JobSpec {
  n += 1;
  return {
    runId: `s${process.pid}-${n}`,
    argv,
    workdir: path.join(root, `w${n}`),
    env: {},
    cpus: 1,
    timeLimitMinutes: 5,
    ...extra,
  };
}

async function collect(h: JobHandle): Promise<string[]> {
  const out: string[] = [];
  for await (const l of h.lines()) out.push(l);
  return out;
}

function scontrolState(id: string): string {
  const out = execFileSync("scontrol", ["show", "job", "-o", id], { env: { ...process.env, SLURM_CONF: slurmConf }, encoding: "utf8" });
  return /JobState=(\S+)/.exec(out)?.[1] ?? "?";
}

const PY_EPOCHS = [
  "/usr/bin/python3",
  "-c",
  "import json,os,time\n" +
    "for i in range(1,4):\n" +
    "    print(json.dumps({'epoch': i, 'job': os.environ.get('SLURM_JOB_ID'), 'x': os.environ.get('BR_X'), 'omp': os.environ.get('OMP_NUM_THREADS')}), flush=True)\n" +
    "    time.sleep(0.3)\n",
];

describe("SlurmExecutor (real one-node Slurm)", () => {
  it("runs a job, streams its stdout lines, exposes pending→running, completes", async () => {
    const statuses: ExecutorStatus[] = [];
    const ex = new SlurmExecutor({ slurmConf, onStatus: (s) => statuses.push(s) });
    const s = spec(PY_EPOCHS, { env: { BR_X: 'it\'s "quoted" $HOME' }, cpus: 2 });
    const t0 = Date.now();
    const h = await ex.start(s);
    expect(h.executorJobId).toMatch(/^\d+$/);
    const lines = await collect(h);
    const out = await h.wait();
    expect(out.state, out.detail).toBe("completed");
    expect(out.exitCode).toBe(0);
    const recs = lines.map((l) => JSON.parse(l));
    expect(recs.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(recs[0].job).toBe(h.executorJobId);
    expect(recs[0].x).toBe('it\'s "quoted" $HOME');
    expect(recs[0].omp).toBe("2");
    const r = await h.running();
    expect(r).not.toBeNull();
    expect(r!.startedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000 - 1000);
    expect(readFileSync(path.join(s.workdir, `${s.runId}.sbatch`), "utf8")).toContain("--cpus-per-task=2");
    expect(statuses.some((x) => x.message.startsWith("ended: completed"))).toBe(true);
  });

  it("reports a failure exit code with the job's stderr", async () => {
    const ex = new SlurmExecutor({ slurmConf });
    const h = await ex.start(spec(["/bin/sh", "-c", "echo started; echo 'Traceback: boom' >&2; exit 3"]));
    const lines = await collect(h);
    const out = await h.wait();
    expect(lines).toEqual(["started"]);
    expect(out.state).toBe("failed");
    expect(out.exitCode).toBe(3);
    expect(out.detail).toContain("FAILED");
    expect(out.detail).toContain("Traceback: boom");
  });

  it("cancel stops a running job (SIGTERM reaches the trainer first)", async () => {
    const ex = new SlurmExecutor({ slurmConf, cancelGraceMs: 8000 });
    const s = spec([
      "/usr/bin/python3",
      "-c",
      "import os,signal,sys,time\n" +
        "def h(*a):\n    open('got-term','w').write('1'); sys.exit(143)\n" +
        "signal.signal(signal.SIGTERM, h)\nprint(os.getpid(), flush=True)\ntime.sleep(600)\n",
    ]);
    const h = await ex.start(s);
    const it = h.lines()[Symbol.asyncIterator]();
    const pid = Number((await it.next()).value);
    expect(pid).toBeGreaterThan(1);
    expect(await h.running()).not.toBeNull();
    await h.cancel();
    const out = await h.wait();
    expect(out.state, out.detail).toBe("canceled");
    expect(existsSync(path.join(s.workdir, "got-term"))).toBe(true);
    expect(isAlive(pid)).toBe(false);
    // the trainer exits 143 on SIGTERM itself, before any plain scancel: Slurm calls a non-zero exit FAILED
    expect(scontrolState(h.executorJobId)).toBe("FAILED");
  });

  it("cancel of a job that ignores SIGTERM still ends it (scancel after the grace)", async () => {
    const ex = new SlurmExecutor({ slurmConf, cancelGraceMs: 1500 });
    const h = await ex.start(
      spec([
        "/usr/bin/python3",
        "-c",
        "import signal,time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', flush=True)\ntime.sleep(600)\n",
      ]),
    );
    const it = h.lines()[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe("ready");
    await h.cancel();
    const out = await h.wait();
    expect(out.state).toBe("canceled");
    expect(scontrolState(h.executorJobId)).toBe("CANCELLED");
  });

  it("attach: a fresh executor instance reconnects to a running job and re-reads its output", async () => {
    const first = new SlurmExecutor({ slurmConf });
    const s = spec(["/usr/bin/python3", "-c", "import time\nfor i in range(6):\n    print(f'line {i}', flush=True); time.sleep(0.4)\n"]);
    const h1 = await first.start(s);
    await h1.running();
    // the "old agent" goes away without waiting; a new one attaches by id
    const second = new SlurmExecutor({ slurmConf });
    const h2 = await second.attach(h1.executorJobId, s.workdir);
    expect(h2.executorJobId).toBe(h1.executorJobId);
    const lines = await collect(h2);
    const out = await h2.wait();
    expect(out.state).toBe("completed");
    expect(lines).toEqual([0, 1, 2, 3, 4, 5].map((i) => `line ${i}`));
    // attaching to a finished job gives its outcome and full output right away
    const h3 = await new SlurmExecutor({ slurmConf }).attach(h1.executorJobId, s.workdir);
    expect(await collect(h3)).toHaveLength(6);
    expect((await h3.wait()).state).toBe("completed");
    await h1.wait();
  });

  it("a queued job waits (pending) until a slot frees, then runs: running() marks the moment", async () => {
    const ex = new SlurmExecutor({ slurmConf, pollIntervalMs: 300 });
    const ncpu = Number(/CPUs=(\d+)/.exec(readFileSync(slurmConf, "utf8"))?.[1] ?? "2");
    const blocker = await ex.start(spec(["/bin/sleep", "3"], { cpus: ncpu }));
    await blocker.running();
    const statuses: string[] = [];
    const ex2 = new SlurmExecutor({ slurmConf, pollIntervalMs: 300, onStatus: (st) => statuses.push(st.message) });
    const t0 = Date.now();
    const h = await ex2.start(spec(["/bin/echo", "hi"]));
    const r = await h.running();
    expect(r).not.toBeNull();
    expect(Date.now() - t0).toBeGreaterThan(1000);
    expect(statuses.some((m) => m.startsWith("pending ("))).toBe(true);
    expect((await h.wait()).state).toBe("completed");
    expect((await blocker.wait()).state).toBe("completed");
  });

  it("keeps waiting (transient status) while slurmctld is down, then sees the job finish", async () => {
    const statuses: ExecutorStatus[] = [];
    const ex = new SlurmExecutor({
      slurmConf,
      pollIntervalMs: 300,
      maxBackoffMs: 2000,
      commandTimeoutMs: 5000,
      onStatus: (s) => statuses.push(s),
    });
    const h = await ex.start(
      spec(["/usr/bin/python3", "-c", "import time\nprint('a', flush=True)\ntime.sleep(4)\nprint('b', flush=True)\n"]),
    );
    await h.running();
    const ctldPid = Number(readFileSync(path.join(stateDir, "run/slurmctld.pid"), "utf8").trim());
    // the controller goes away (a restart/outage; SIGTERM so it saves its state, as in maintenance);
    // slurmd and the job keep running
    process.kill(ctldPid, "SIGTERM");
    for (let i = 0; i < 100 && isAlive(ctldPid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(ctldPid)).toBe(false);
    const deadline = Date.now() + 20_000;
    while (!statuses.some((s) => s.transient) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(statuses.find((s) => s.transient)?.message).toMatch(/Slurm controller unreachable/);
    startCluster(); // restarts slurmctld only (state is kept in StateSaveLocation)
    const lines = await collect(h);
    const out = await h.wait();
    expect(lines).toEqual(["a", "b"]);
    expect(out.state, out.detail).toBe("completed");
    expect(statuses.some((s) => /reachable again/.test(s.message))).toBe(true);
  });

  it("rejects unsafe workdirs and reports an unreachable controller on submit as SlurmUnavailableError", async () => {
    const ex = new SlurmExecutor({ slurmConf });
    await expect(ex.start(spec(["/bin/true"], { workdir: "/tmp/has space" }))).rejects.toThrow(/plain path/);
    const bogus = path.join(root, "bogus.conf");
    const conf = readFileSync(slurmConf, "utf8").replace(/SlurmctldPort=\d+/, "SlurmctldPort=1");
    writeFileSync(bogus, conf);
    const down = new SlurmExecutor({ slurmConf: bogus, commandTimeoutMs: 15_000 });
    await expect(down.start(spec(["/bin/true"]))).rejects.toMatchObject({ name: "SlurmUnavailableError" });
  });
});
