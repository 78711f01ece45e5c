import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "./local";
import { isAlive } from "./procfs";
import type { JobSpec } from "./types";

const root = mkdtempSync(path.join(tmpdir(), "br-local-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
function spec(argv: string[], extra: Partial<JobSpec> = {}): JobSpec {
  count += 1;
  return { runId: `t${count}`, argv, workdir: path.join(root, `w${count}`), env: {}, cpus: 1, timeLimitMinutes: 5, ...extra };
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of it) out.push(line);
  return out;
}

describe("LocalExecutor (real child processes)", () => {
  it("streams JSON lines and completes", async () => {
    const executor = new LocalExecutor();
    const job = await executor.start(
      spec(["/bin/sh", "-c", 'for i in 1 2 3; do echo "{\\"epoch\\": $i, \\"loss\\": 0.$i}"; done; printf "tail-no-newline"']),
    );
    expect(job.executorJobId).toMatch(/^local:\d+$/);
    expect(await job.running()).not.toBeNull();
    const lines = await collect(job.lines());
    const out = await job.wait();
    expect(out).toEqual({ state: "completed", exitCode: 0, detail: "exit code 0" });
    expect(lines.slice(0, 3).map((line) => JSON.parse(line).epoch)).toEqual([1, 2, 3]);
    expect(lines[3]).toBe("tail-no-newline");
  });

  it("reports a failing exit code with the last stderr lines; stderr saved in workdir", async () => {
    const executor = new LocalExecutor({ stderrTailLines: 2 });
    const jobSpec = spec(["/bin/sh", "-c", "echo one >&2; echo two >&2; echo three >&2; exit 3"]);
    const job = await executor.start(jobSpec);
    const out = await job.wait();
    expect(out.state).toBe("failed");
    expect(out.exitCode).toBe(3);
    expect(out.detail).toContain("exit code 3");
    expect(out.detail).toContain("two\nthree");
    expect(out.detail).not.toContain("one");
    expect(readFileSync(path.join(jobSpec.workdir, `${jobSpec.runId}.stderr.log`), "utf8")).toBe("one\ntwo\nthree\n");
  });

  it("does not leak the agent's environment; passes spec.env and OMP_NUM_THREADS", async () => {
    process.env.BR_AGENT_SECRET_FOR_TEST = "s3cret";
    try {
      const executor = new LocalExecutor();
      const job = await executor.start(spec(["/usr/bin/env"], { env: { FOO: "bar baz" }, cpus: 2 }));
      const lines = await collect(job.lines());
      expect((await job.wait()).state).toBe("completed");
      expect(lines).toContain("FOO=bar baz");
      expect(lines).toContain("OMP_NUM_THREADS=2");
      expect(lines.join("\n")).not.toContain("s3cret");
    } finally {
      delete process.env.BR_AGENT_SECRET_FOR_TEST;
    }
  });

  it("cancel kills the whole process group, SIGKILL after the grace period if TERM is ignored", async () => {
    const executor = new LocalExecutor({ killGraceMs: 700 });
    // the group: bash (ignores TERM) + two background sleeps (one in a subshell that ignores TERM too)
    const job = await executor.start(
      spec(["/bin/bash", "-c", "trap '' TERM; sleep 300 & echo $!; (trap '' TERM; sleep 301) & echo $!; echo ready; wait"]),
    );
    const pids: number[] = [];
    const it = job.lines()[Symbol.asyncIterator]();
    for (;;) {
      const step = await it.next();
      if (step.done || step.value === "ready") break;
      pids.push(Number(step.value));
    }
    expect(pids).toHaveLength(2);
    const leader = Number(job.executorJobId.split(":")[1]);
    for (const pid of [leader, ...pids]) expect(isAlive(pid)).toBe(true);
    const startedAt = Date.now();
    await job.cancel();
    const out = await job.wait();
    expect(out.state).toBe("canceled");
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(600); // TERM was ignored → waited the grace
    for (const pid of [leader, ...pids]) expect(isAlive(pid)).toBe(false);
  });

  it("cancel with a cooperative process ends quickly (SIGTERM first)", async () => {
    const executor = new LocalExecutor({ killGraceMs: 10_000 });
    const jobSpec = spec([
      "/usr/bin/python3",
      "-c",
      "import signal,sys,time\n" +
        "def h(*a):\n    print('got TERM', flush=True); sys.exit(0)\n" +
        "signal.signal(signal.SIGTERM, h)\nprint('ready', flush=True)\ntime.sleep(300)\n",
    ]);
    const job = await executor.start(jobSpec);
    const it = job.lines()[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe("ready");
    const startedAt = Date.now();
    await job.cancel();
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect((await it.next()).value).toBe("got TERM");
    expect((await job.wait()).state).toBe("canceled");
  });

  it("enforces the time limit", async () => {
    const executor = new LocalExecutor({ killGraceMs: 500 });
    const job = await executor.start(spec(["/bin/sleep", "30"], { timeLimitMinutes: 0.01 }));
    const out = await job.wait();
    expect(out.state).toBe("timeout");
  });

  it("rejects a missing program and a relative argv[0]", async () => {
    const executor = new LocalExecutor();
    await expect(executor.start(spec(["/nonexistent/prog"]))).rejects.toThrow(/could not start/);
    await expect(executor.start(spec(["python3"]))).rejects.toThrow(/absolute/);
  });
});

describe("LocalExecutor with a warm zoo process (real Python and torch)", () => {
  const python = "/usr/bin/python3";
  const zooDir = path.resolve("zoo");
  const warmOptions = {
    argvPrefix: [python, "-m", "beamline_zoo"],
    warmArgv: [python, "-m", "beamline_zoo.warm"],
    env: { PYTHONPATH: zooDir },
    cpus: 1,
    dir: path.join(root, "warm"),
  };

  it("hands a fitting job to the ready process: its pid, its output, its exit code", async () => {
    const ex = new LocalExecutor({ warm: warmOptions });
    ex.prepareWarmStart();
    await new Promise((r) => setTimeout(r, 4000)); // torch imported meanwhile
    const job = spec([python, "-m", "beamline_zoo", "inspect", "--data", "/nonexistent.h5"], { env: { PYTHONPATH: zooDir } });
    const started = Date.now();
    const handle = await ex.start(job);
    expect(handle.startedWarm).toBe(true);
    const lines = await collect(handle.lines());
    const outcome = await handle.wait();
    const error = lines.map((l) => JSON.parse(l)).find((l) => l.type === "error");
    expect(error.message).toMatch(/nonexistent\.h5/);
    expect(outcome.state).toBe("failed");
    expect(outcome.exitCode).toBe(2);
    // No interpreter start and torch import on the job's path: it answers well within a cold start.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(readFileSync(path.join(job.workdir, `${job.runId}.stderr.log`), "utf8")).toMatch(/nonexistent\.h5/);
    ex.close();
  });

  it("starts a job cold when its environment differs, and cancels a warm job's whole group", async () => {
    const ex = new LocalExecutor({ warm: warmOptions, killGraceMs: 500 });
    ex.prepareWarmStart();
    const cold = await ex.start(spec([python, "-c", "import os; print(os.environ.get('PYTHONPATH'))"], { env: {} }));
    expect(cold.startedWarm).toBeUndefined();
    expect(await collect(cold.lines())).toEqual(["None"]);
    const warm = await ex.start(
      spec([python, "-m", "beamline_zoo", "simulate", "--family", "braggnn", "--samples", "400000", "--out", path.join(root, "big.h5")], {
        env: { PYTHONPATH: zooDir },
      }),
    );
    expect(warm.startedWarm).toBe(true);
    const pid = Number(warm.executorJobId.slice("local:".length));
    expect(isAlive(pid)).toBe(true);
    await warm.cancel();
    expect((await warm.wait()).state).toBe("canceled");
    expect(isAlive(pid)).toBe(false);
    ex.close();
  });
});
