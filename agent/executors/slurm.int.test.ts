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
    const match = /^export SLURM_CONF=(.+)$/m.exec(out);
    if (!match) throw new Error(`start.sh printed no SLURM_CONF line: ${out}`);
    slurmConf = match[1].replace(/^'|'$/g, "");
    stateDir = path.dirname(slurmConf);
  } catch (error) {
    const err = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`Slurm could not be started by scripts/slurm/start.sh: ${err.message}\n${err.stderr ?? ""}${err.stdout ?? ""}`);
  }
}

beforeAll(() => {
  startCluster();
  expect(existsSync(slurmConf)).toBe(true);
}, 300_000);

let count = 0;
function spec(argv: string[], extra: Partial<JobSpec> = {}): JobSpec {
  count += 1;
  return {
    runId: `s${process.pid}-${count}`,
    argv,
    workdir: path.join(root, `w${count}`),
    env: {},
    cpus: 1,
    timeLimitMinutes: 5,
    ...extra,
  };
}

async function collect(handle: JobHandle): Promise<string[]> {
  const out: string[] = [];
  for await (const outputLine of handle.lines()) out.push(outputLine);
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
    const slurmExecutor = new SlurmExecutor({ slurmConf, onStatus: (executorStatus) => statuses.push(executorStatus) });
    const jobSpec = spec(PY_EPOCHS, { env: { BR_X: 'it\'s "quoted" $HOME' }, cpus: 2 });
    const startedAt = Date.now();
    const handle = await slurmExecutor.start(jobSpec);
    expect(handle.executorJobId).toMatch(/^\d+$/);
    const lines = await collect(handle);
    const out = await handle.wait();
    expect(out.state, out.detail).toBe("completed");
    expect(out.exitCode).toBe(0);
    const recs = lines.map((outputLine) => JSON.parse(outputLine));
    expect(recs.map((record) => record.epoch)).toEqual([1, 2, 3]);
    expect(recs[0].job).toBe(handle.executorJobId);
    expect(recs[0].x).toBe('it\'s "quoted" $HOME');
    expect(recs[0].omp).toBe("2");
    const runningInfo = await handle.running();
    expect(runningInfo).not.toBeNull();
    expect(runningInfo!.startedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000 - 1000);
    expect(readFileSync(path.join(jobSpec.workdir, `${jobSpec.runId}.sbatch`), "utf8")).toContain("--cpus-per-task=2");
    expect(statuses.some((status) => status.message.startsWith("ended: completed"))).toBe(true);
  });

  it("does not pass the agent's environment to the job; passes spec.env and OMP_NUM_THREADS", async () => {
    process.env.BR_AGENT_SECRET_FOR_TEST = "s3cret";
    try {
      const handle = await new SlurmExecutor({ slurmConf }).start(spec(["/usr/bin/env"], { env: { FOO: "bar baz" }, cpus: 2 }));
      const lines = await collect(handle);
      expect((await handle.wait()).state).toBe("completed");
      expect(lines).toContain("FOO=bar baz");
      expect(lines).toContain("OMP_NUM_THREADS=2");
      expect(lines.some((line) => line.startsWith("SLURM_JOB_ID="))).toBe(true);
      expect(lines.join("\n")).not.toContain("s3cret");
    } finally {
      delete process.env.BR_AGENT_SECRET_FOR_TEST;
    }
  });

  it("reports a failure exit code with the job's stderr", async () => {
    const slurmExecutor = new SlurmExecutor({ slurmConf });
    const handle = await slurmExecutor.start(spec(["/bin/sh", "-c", "echo started; echo 'Traceback: boom' >&2; exit 3"]));
    const lines = await collect(handle);
    const out = await handle.wait();
    expect(lines).toEqual(["started"]);
    expect(out.state).toBe("failed");
    expect(out.exitCode).toBe(3);
    expect(out.detail).toContain("FAILED");
    expect(out.detail).toContain("Traceback: boom");
  });

  it("cancel stops a running job (SIGTERM reaches the trainer first)", async () => {
    const slurmExecutor = new SlurmExecutor({ slurmConf, cancelGraceMs: 8000 });
    const jobSpec = spec([
      "/usr/bin/python3",
      "-c",
      "import os,signal,sys,time\n" +
        "def h(*a):\n    open('got-term','w').write('1'); sys.exit(143)\n" +
        "signal.signal(signal.SIGTERM, h)\nprint(os.getpid(), flush=True)\ntime.sleep(600)\n",
    ]);
    const handle = await slurmExecutor.start(jobSpec);
    const it = handle.lines()[Symbol.asyncIterator]();
    const pid = Number((await it.next()).value);
    expect(pid).toBeGreaterThan(1);
    expect(await handle.running()).not.toBeNull();
    await handle.cancel();
    const out = await handle.wait();
    expect(out.state, out.detail).toBe("canceled");
    expect(existsSync(path.join(jobSpec.workdir, "got-term"))).toBe(true);
    expect(isAlive(pid)).toBe(false);
    // the trainer exits 143 on SIGTERM itself, before any plain scancel: Slurm calls a non-zero exit FAILED
    expect(scontrolState(handle.executorJobId)).toBe("FAILED");
  });

  it("cancel of a job that ignores SIGTERM still ends it (scancel after the grace)", async () => {
    const slurmExecutor = new SlurmExecutor({ slurmConf, cancelGraceMs: 1500 });
    const handle = await slurmExecutor.start(
      spec([
        "/usr/bin/python3",
        "-c",
        "import signal,time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', flush=True)\ntime.sleep(600)\n",
      ]),
    );
    const it = handle.lines()[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe("ready");
    await handle.cancel();
    const out = await handle.wait();
    expect(out.state).toBe("canceled");
    expect(scontrolState(handle.executorJobId)).toBe("CANCELLED");
  });

  it("attach: a fresh executor instance reconnects to a running job and re-reads its output", async () => {
    const first = new SlurmExecutor({ slurmConf });
    const jobSpec = spec([
      "/usr/bin/python3",
      "-c",
      "import time\nfor i in range(6):\n    print(f'line {i}', flush=True); time.sleep(0.4)\n",
    ]);
    const submitted = await first.start(jobSpec);
    await submitted.running();
    // the "old agent" goes away without waiting; a new one attaches by id
    const second = new SlurmExecutor({ slurmConf });
    const attached = await second.attach(submitted.executorJobId, jobSpec.workdir);
    expect(attached.executorJobId).toBe(submitted.executorJobId);
    const lines = await collect(attached);
    const out = await attached.wait();
    expect(out.state).toBe("completed");
    expect(lines).toEqual([0, 1, 2, 3, 4, 5].map((index) => `line ${index}`));
    // attaching to a finished job gives its outcome and full output right away
    const reattached = await new SlurmExecutor({ slurmConf }).attach(submitted.executorJobId, jobSpec.workdir);
    expect(await collect(reattached)).toHaveLength(6);
    expect((await reattached.wait()).state).toBe("completed");
    await submitted.wait();
  });

  it("a queued job waits (pending) until a slot frees, then runs: running() marks the moment", async () => {
    const slurmExecutor = new SlurmExecutor({ slurmConf, pollIntervalMs: 300 });
    const ncpu = Number(/CPUs=(\d+)/.exec(readFileSync(slurmConf, "utf8"))?.[1] ?? "2");
    const blocker = await slurmExecutor.start(spec(["/bin/sleep", "3"], { cpus: ncpu }));
    await blocker.running();
    const statuses: string[] = [];
    const ex2 = new SlurmExecutor({ slurmConf, pollIntervalMs: 300, onStatus: (status) => statuses.push(status.message) });
    const startedAt = Date.now();
    const handle = await ex2.start(spec(["/bin/echo", "hi"]));
    const runningInfo = await handle.running();
    expect(runningInfo).not.toBeNull();
    expect(Date.now() - startedAt).toBeGreaterThan(1000);
    expect(statuses.some((message) => message.startsWith("pending ("))).toBe(true);
    expect((await handle.wait()).state).toBe("completed");
    expect((await blocker.wait()).state).toBe("completed");
  });

  it("asks Slurm when a job would start (sbatch --test-only) without creating one: now when idle, after the job ahead when full", async () => {
    const slurmExecutor = new SlurmExecutor({ slurmConf, pollIntervalMs: 300 });
    const ncpu = Number(/CPUs=(\d+)/.exec(readFileSync(slurmConf, "utf8"))?.[1] ?? "2");
    const jobs = () =>
      execFileSync("squeue", ["-h", "-o", "%i"], { env: { ...process.env, SLURM_CONF: slurmConf }, encoding: "utf8" }).trim();
    const before = jobs();
    const idle = await slurmExecutor.estimateStart(spec(["/bin/echo", "hi"], { cpus: ncpu }));
    expect(idle).not.toBeNull();
    expect(idle!).toBeLessThan(5);
    expect(jobs()).toBe(before);
    // A job holding every CPU for up to 3 minutes: the scheduler plans the next one for when its time limit runs out.
    const blocker = await slurmExecutor.start(spec(["/bin/sleep", "120"], { cpus: ncpu, timeLimitMinutes: 3 }));
    await blocker.running();
    try {
      const full = await slurmExecutor.estimateStart(spec(["/bin/echo", "hi"], { cpus: ncpu }));
      console.log(`Slurm start estimate: idle ${idle} s, behind a 3-minute job ${full} s`);
      expect(full).not.toBeNull();
      expect(full!).toBeGreaterThan(60);
      expect(full!).toBeLessThanOrEqual(185);
    } finally {
      await blocker.cancel();
      await blocker.wait();
    }
  });

  describe("standby jobs (submitted before their job is known, zoo/beamline_zoo/warm.py --job-file)", () => {
    const zoo = ["/usr/bin/python3", "-m", "beamline_zoo"];
    const zooEnv = { PYTHONPATH: path.join(repo, "zoo") };
    function standBy(slurmExecutor: SlurmExecutor, key: string, waitSeconds: number) {
      const standbySpec = spec(["/usr/bin/python3", "-m", "beamline_zoo.warm", "--job-file", "", "--wait-seconds", String(waitSeconds)], {
        env: zooEnv,
      });
      const jobFile = path.join(standbySpec.workdir, "job.json");
      standbySpec.argv[4] = jobFile;
      slurmExecutor.standBy(key, { spec: standbySpec, argvPrefix: zoo, jobFile, note: noteOf(key) });
      return standbySpec;
    }
    const noteOf = (key: string) => path.join(root, "standby-notes", key);
    const jobsNamed = (runId: string) =>
      execFileSync("squeue", ["-h", "-t", "all", "-n", `br-${runId}`, "-o", "%i %T"], {
        env: { ...process.env, SLURM_CONF: slurmConf },
        encoding: "utf8",
      }).trim();
    async function until(what: string, check: () => boolean, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    it("becomes the job handed to it: the standby's Slurm job runs the command, and no other job is submitted", async () => {
      const slurmExecutor = new SlurmExecutor({ slurmConf, pollIntervalMs: 250 });
      const standbySpec = standBy(slurmExecutor, "run-a", 60);
      const job = spec([...zoo, "simulate", "--help"], { env: zooEnv, standbyKeys: ["run-a"] });
      const handle = await slurmExecutor.start(job);
      expect(handle.startedWarm).toBe(true);
      expect(existsSync(noteOf("run-a"))).toBe(false);
      expect(jobsNamed(standbySpec.runId).split(" ")[0]).toBe(handle.executorJobId);
      expect(jobsNamed(job.runId)).toBe("");
      const out = await collect(handle);
      const outcome = await handle.wait();
      expect(outcome.state, outcome.detail).toBe("completed");
      expect(out.join("\n")).toContain("usage:");
      expect(readFileSync(path.join(standbySpec.workdir, `${standbySpec.runId}.slurm-${handle.executorJobId}.err`), "utf8")).toContain(
        "standby ready",
      );
    });

    it("one that gave up waiting is not handed the job: the job is submitted afresh", async () => {
      const slurmExecutor = new SlurmExecutor({ slurmConf, pollIntervalMs: 250 });
      const standbySpec = standBy(slurmExecutor, "run-b", 1);
      await until("the standby to give up", () => / COMPLETED$/.test(jobsNamed(standbySpec.runId)));
      const handle = await slurmExecutor.start(spec([...zoo, "simulate", "--help"], { env: zooEnv, standbyKeys: ["run-b"] }));
      expect(handle.startedWarm).toBeFalsy();
      expect(jobsNamed(standbySpec.runId).split(" ")[0]).not.toBe(handle.executorJobId);
      await collect(handle);
      expect((await handle.wait()).state).toBe("completed");
    });

    it("renewed, waits past its own wait; a job under its second key takes it; gone, it cannot be renewed", async () => {
      const slurmExecutor = new SlurmExecutor({ slurmConf, pollIntervalMs: 250 });
      // as the Retrain dialog's standby: a 3 s wait, renewed every second for 6 s
      const standbySpec = standBy(slurmExecutor, "prepared", 3);
      await until("the standby to run", () => / RUNNING$/.test(jobsNamed(standbySpec.runId)));
      for (let i = 0; i < 6; i++) {
        expect(await slurmExecutor.renewStandby("prepared")).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      expect(jobsNamed(standbySpec.runId)).toMatch(/ RUNNING$/);
      const job = spec([...zoo, "simulate", "--help"], { env: zooEnv, standbyKeys: ["run-f", "prepared"] });
      const handle = await slurmExecutor.start(job);
      expect(handle.startedWarm).toBe(true);
      expect(jobsNamed(standbySpec.runId).split(" ")[0]).toBe(handle.executorJobId);
      await collect(handle);
      expect((await handle.wait()).state).toBe("completed");
      // taken: nothing left under the key to renew
      expect(await slurmExecutor.renewStandby("prepared")).toBe(false);

      // Not renewed, the next one gives up after its 3 s, and a renewal then tells the agent to submit anew.
      const unrenewed = standBy(slurmExecutor, "prepared", 3);
      await until("the unrenewed standby to give up", () => / COMPLETED$/.test(jobsNamed(unrenewed.runId)));
      expect(await slurmExecutor.renewStandby("prepared")).toBe(false);
    });

    it("left by an agent that died is cancelled by its successor, and only once", async () => {
      const standbySpec = standBy(new SlurmExecutor({ slurmConf, pollIntervalMs: 250 }), "run-e", 60);
      await until("the standby to run", () => / RUNNING$/.test(jobsNamed(standbySpec.runId)));
      const successor = new SlurmExecutor({ slurmConf, pollIntervalMs: 250 });
      const left = { jobFile: path.join(standbySpec.workdir, "job.json"), note: noteOf("run-e") };
      expect(existsSync(left.note)).toBe(true);
      expect(await successor.cancelAbandonedStandby(left)).toBe(true);
      await until("the abandoned standby to be cancelled", () => / CANCELLED$/.test(jobsNamed(standbySpec.runId)));
      // Its fate settled, its note is gone: the next start does not read it again.
      expect(existsSync(left.note)).toBe(false);
      expect(await successor.cancelAbandonedStandby(left)).toBe(false);
      expect(
        await successor.cancelAbandonedStandby({ jobFile: path.join(root, "no-such-run", "job.json"), note: noteOf("no-such-run") }),
      ).toBe(false);
    });

    it("is cancelled when dropped (its stage-in failed), and when the job cannot become it (other environment)", async () => {
      const slurmExecutor = new SlurmExecutor({ slurmConf, pollIntervalMs: 250 });
      const dropped = standBy(slurmExecutor, "run-c", 60);
      await until("the standby to run", () => / RUNNING$/.test(jobsNamed(dropped.runId)));
      await slurmExecutor.dropStandby("run-c");
      await until("the dropped standby to be cancelled", () => / CANCELLED$/.test(jobsNamed(dropped.runId)));

      const unfit = standBy(slurmExecutor, "run-d", 60);
      const handle = await slurmExecutor.start(
        spec([...zoo, "simulate", "--help"], { env: { ...zooEnv, OTHER: "1" }, standbyKeys: ["run-d"] }),
      );
      expect(handle.startedWarm).toBeFalsy();
      await collect(handle);
      expect((await handle.wait()).state).toBe("completed");
      await until("the unfit standby to be cancelled", () => / CANCELLED$/.test(jobsNamed(unfit.runId)));
    });
  });

  it("keeps waiting (transient status) while slurmctld is down, then sees the job finish", async () => {
    const statuses: ExecutorStatus[] = [];
    const slurmExecutor = new SlurmExecutor({
      slurmConf,
      pollIntervalMs: 300,
      maxBackoffMs: 2000,
      commandTimeoutMs: 5000,
      onStatus: (executorStatus) => statuses.push(executorStatus),
    });
    const handle = await slurmExecutor.start(
      spec(["/usr/bin/python3", "-c", "import time\nprint('a', flush=True)\ntime.sleep(4)\nprint('b', flush=True)\n"]),
    );
    await handle.running();
    const ctldPid = Number(readFileSync(path.join(stateDir, "run/slurmctld.pid"), "utf8").trim());
    // the controller goes away (a restart/outage; SIGTERM so it saves its state, as in maintenance);
    // slurmd and the job keep running
    process.kill(ctldPid, "SIGTERM");
    for (let index = 0; index < 100 && isAlive(ctldPid); index++) await new Promise((done) => setTimeout(done, 100));
    expect(isAlive(ctldPid)).toBe(false);
    const deadline = Date.now() + 20_000;
    while (!statuses.some((executorStatus) => executorStatus.transient) && Date.now() < deadline)
      await new Promise((done) => setTimeout(done, 200));
    expect(statuses.find((executorStatus) => executorStatus.transient)?.message).toMatch(/Slurm controller unreachable/);
    startCluster(); // restarts slurmctld only (state is kept in StateSaveLocation)
    const lines = await collect(handle);
    const out = await handle.wait();
    expect(lines).toEqual(["a", "b"]);
    expect(out.state, out.detail).toBe("completed");
    expect(statuses.some((executorStatus) => /reachable again/.test(executorStatus.message))).toBe(true);
  });

  it("rejects unsafe workdirs and reports an unreachable controller on submit as SlurmUnavailableError", async () => {
    const slurmExecutor = new SlurmExecutor({ slurmConf });
    await expect(slurmExecutor.start(spec(["/bin/true"], { workdir: "/tmp/has space" }))).rejects.toThrow(/plain path/);
    const bogus = path.join(root, "bogus.conf");
    const conf = readFileSync(slurmConf, "utf8").replace(/SlurmctldPort=\d+/, "SlurmctldPort=1");
    writeFileSync(bogus, conf);
    const down = new SlurmExecutor({ slurmConf: bogus, commandTimeoutMs: 15_000 });
    await expect(down.start(spec(["/bin/true"]))).rejects.toMatchObject({ name: "SlurmUnavailableError" });
  });
});
