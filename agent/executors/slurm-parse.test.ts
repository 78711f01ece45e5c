import { describe, expect, it } from "vitest";
import { LineQueue } from "./line-queue";
import {
  hasRun,
  parseTestOnlyStart,
  isControllerUnreachable,
  outcomeFromInfo,
  parseJobInfo,
  parseSbatchParsable,
  renderSbatchScript,
  shQuote,
} from "./slurm-parse";
import { validateSpec } from "./types";

const LINE =
  "JobId=1 JobName=job.sh UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:00 TimeLimit=00:02:00 TimeMin=N/A SubmitTime=2026-11-27T00:49:01 EligibleTime=2026-11-27T00:49:01 AccrueTime=2026-11-27T00:49:01 StartTime=2026-11-27T00:49:02 EndTime=2026-11-27T00:49:02 Deadline=N/A AllocNode:Sid=localhost:5902 ReqNodeList=(null) NodeList=localhost BatchHost=localhost NumNodes=1 NumCPUs=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,mem=2000M,node=1,billing=1 Command=/tmp/sj/job.sh WorkDir=/tmp StdErr=/tmp/sj/err.txt StdIn=/dev/null StdOut=/tmp/sj/out.txt Power= ";

describe("slurm-parse", () => {
  it("parses scontrol show job -o", () => {
    const index = parseJobInfo(LINE)!;
    expect(index).toMatchObject({ jobId: "1", state: "FAILED", reason: "NonZeroExitCode", exitCode: 3, signal: 0 });
    expect(index.stdOut).toBe("/tmp/sj/out.txt");
    expect(index.stdErr).toBe("/tmp/sj/err.txt");
    expect(index.nodeList).toBe("localhost");
    expect(index.startTime?.getFullYear()).toBe(2026);
    expect(hasRun(index)).toBe(true);
  });

  it("maps states to outcomes", () => {
    const base = parseJobInfo(LINE)!;
    expect(outcomeFromInfo({ ...base, state: "RUNNING" }, false)).toBeNull();
    expect(outcomeFromInfo({ ...base, state: "COMPLETING" }, false)).toBeNull();
    expect(outcomeFromInfo({ ...base, state: "COMPLETED", exitCode: 0 }, false)?.state).toBe("completed");
    expect(outcomeFromInfo(base, false)).toMatchObject({ state: "failed", exitCode: 3 });
    expect(outcomeFromInfo(base, true)?.state).toBe("canceled");
    expect(outcomeFromInfo({ ...base, state: "CANCELLED", exitCode: 0, signal: 15 }, false)).toMatchObject({
      state: "canceled",
      exitCode: null,
    });
    expect(outcomeFromInfo({ ...base, state: "TIMEOUT" }, false)?.state).toBe("timeout");
    expect(outcomeFromInfo({ ...base, state: "OUT_OF_MEMORY" }, false)?.state).toBe("failed");
    const pendCancel = parseJobInfo(
      LINE.replace("NodeList=localhost", "NodeList=(null)").replace("JobState=FAILED", "JobState=CANCELLED"),
    )!;
    expect(hasRun(pendCancel)).toBe(false);
  });

  it("recognises controller-unreachable errors", () => {
    expect(isControllerUnreachable("slurm_load_jobs error: Unable to contact slurm controller (connect failure)")).toBe(true);
    expect(isControllerUnreachable("slurm_load_jobs error: Invalid job id specified")).toBe(false);
  });

  it("parses sbatch --parsable", () => {
    expect(parseSbatchParsable("42\n")).toBe("42");
    expect(parseSbatchParsable("42;cluster\n")).toBe("42");
    expect(parseSbatchParsable("")).toBeNull();
  });

  it("renders a script that quotes argv and env safely", () => {
    const spec = {
      runId: "r1",
      argv: ["/usr/bin/python3", "-c", "print('x')"],
      workdir: "/tmp/w",
      env: {},
      cpus: 2,
      timeLimitMinutes: 1.5,
    };
    const script = renderSbatchScript(spec, {
      jobName: "br-r1",
      outputPattern: "/tmp/w/o-%j",
      errorPattern: "/tmp/w/e-%j",
      env: { A: "it's $x" },
    });
    expect(script).toContain("#SBATCH --cpus-per-task=2\n");
    expect(script).toContain("#SBATCH --time=2\n");
    // The job's environment is sbatch's own, which the executor keeps clean (slurm.int.test.ts): no NIL, which
    // delayed every job's start.
    expect(script).not.toContain("--export=NIL");
    expect(script).toContain(`export A='it'\\''s $x'\n`);
    expect(script).toContain(`exec '/usr/bin/python3' '-c' 'print('\\''x'\\'')'\n`);
    expect(shQuote("a'b")).toBe(`'a'\\''b'`);
  });

  it("renders a data-parallel job: the shape in #SBATCH lines, one rank per task through srun", () => {
    const spec = {
      runId: "r2",
      argv: ["/usr/bin/python3", "-m", "beamline_zoo", "train"],
      workdir: "/tmp/w",
      env: {},
      cpus: 4,
      timeLimitMinutes: 5,
    };
    const render = { jobName: "br-r2", outputPattern: "/tmp/w/o-%j", errorPattern: "/tmp/w/e-%j", env: {} };
    const single = renderSbatchScript(spec, render);
    expect(single).toContain("#SBATCH --nodes=1\n#SBATCH --ntasks-per-node=1\n");
    expect(single).toContain("exec '/usr/bin/python3' '-m' 'beamline_zoo' 'train'\n");
    expect(single).not.toContain("srun");
    const s = renderSbatchScript({ ...spec, parallel: { nodes: 2, tasksPerNode: 4, gpusPerNode: 4 } }, render);
    expect(s).toContain("#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=4\n#SBATCH --cpus-per-task=4\n");
    expect(s).toContain("#SBATCH --gpus-per-node=4\n");
    expect(s).toMatch(/export MASTER_ADDR="\$\(scontrol show hostnames "\$SLURM_JOB_NODELIST" \| head -n 1\)"\n/);
    expect(s).toContain("export MASTER_PORT=$((20000 + SLURM_JOB_ID % 20000))\n");
    expect(s).toContain("exec srun --export=ALL --kill-on-bad-exit=1 --cpus-per-task=4 '/usr/bin/python3' '-m' 'beamline_zoo' 'train'\n");
    expect(() => validateSpec({ ...spec, parallel: { nodes: 1, tasksPerNode: 2, gpusPerNode: 4 } })).toThrow(/one task per GPU/);
  });

  it("validates specs", () => {
    const ok = { runId: "r1", argv: ["/bin/true"], workdir: "/tmp/w", env: {}, cpus: 1, timeLimitMinutes: 1 };
    expect(() => validateSpec(ok)).not.toThrow();
    expect(() => validateSpec({ ...ok, env: { "BAD-NAME": "x" } })).toThrow(/environment/);
    expect(() => validateSpec({ ...ok, runId: "../x" })).toThrow(/runId/);
    expect(() => validateSpec({ ...ok, cpus: 0 })).toThrow(/cpus/);
  });
});

describe("LineQueue", () => {
  it("splits chunks into lines across boundaries and multi-byte characters", async () => {
    const lineQueue = new LineQueue();
    const bytes = Buffer.from("a\r\nbé\nc");
    lineQueue.pushBytes(bytes.subarray(0, 5)); // cuts é in half
    lineQueue.pushBytes(bytes.subarray(5));
    lineQueue.close();
    const out: string[] = [];
    for await (const outputLine of lineQueue.iterate()) out.push(outputLine);
    expect(out).toEqual(["a", "bé", "c"]);
  });
});

describe("parseTestOnlyStart", () => {
  const now = new Date(2026, 10, 30, 10, 0, 0);
  it("reads Slurm's start estimate as seconds from now (local time, as Slurm prints it)", () => {
    const line = "sbatch: Job 12 to start at 2026-11-30T10:02:05 using 2 processors on nodes n1 in partition debug\n";
    expect(parseTestOnlyStart(line, now)).toBe(125);
  });
  it("says 0 for a start that is now or already past (whole seconds)", () => {
    expect(parseTestOnlyStart("sbatch: Job 3 to start at 2026-11-30T09:59:59 using 1 processors on nodes n1 in partition debug", now)).toBe(
      0,
    );
  });
  it("gives null when Slurm printed no estimate", () => {
    expect(parseTestOnlyStart("sbatch: error: Batch job submission failed: Requested node configuration is not available", now)).toBeNull();
    expect(parseTestOnlyStart("sbatch: Job 4 to start at Unknown using 1 processors", now)).toBeNull();
    expect(parseTestOnlyStart("", now)).toBeNull();
  });
});
