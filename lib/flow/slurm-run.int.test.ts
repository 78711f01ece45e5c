// A retrain run through the Slurm executor on the real one-node cluster (DESIGN §5): the trainer's
// agent sits on the "login node" and submits the training as a batch job; cancel reaches the job.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startSlurmStack, waitFor, type Stack } from "@/testing/stack";
import { cancelInTest, launchInTest } from "@/testing/launch";
import { zooProcessesOfRun } from "@/testing/procs";
import { HttpSession } from "@/testing/http";
import { callServerAction, type ServerActionRef } from "@/testing/server-action";
import type { ActionState } from "@/lib/actions/action-state";

const TERMINAL = ["succeeded", "failed", "lost", "canceled"];
// Waits below carry their own bounds (and messages); the test limit only backs them up.
vi.setConfig({ testTimeout: 240_000 });
const LEASE_SECONDS = 6; // AGENT_LEASE_SECONDS of the test stack
const SLURM_CONF = process.env.SLURM_CONF ?? path.resolve(__dirname, "../../.data/slurm/slurm.conf");

let stack: Stack;

/** The job's state as squeue shows it, or null when squeue no longer lists it. */
function squeueState(jobId: string): string | null {
  let out: string;
  try {
    out = execFileSync("squeue", ["-h", "-j", jobId, "-o", "%T"], {
      env: { ...process.env, SLURM_CONF },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 15_000,
    });
  } catch (error) {
    // A job already purged from the controller: "Invalid job id specified".
    const stderr = String((error as { stderr?: string }).stderr ?? "");
    if (/Invalid job id/i.test(stderr)) return null;
    throw error;
  }
  return out.trim() || null;
}

async function trainJobId(runId: string): Promise<string> {
  return waitFor(
    `the Slurm job id of run ${runId}`,
    async () => {
      const step = await stack.prisma.runStep.findFirst({ where: { runId, name: "train" } });
      const id = (step?.detail as { executorJobId?: string } | null)?.executorJobId;
      return id && /^\d+$/.test(id) ? id : null;
    },
    120_000,
  );
}

beforeAll(async () => {
  stack = await startSlurmStack("slurm_run", SLURM_CONF);
});
afterAll(async () => {
  await stack?.stop();
});

describe("a retrain run on the slurm-cluster trainer trains BraggNN as a Slurm batch job", () => {
  it("brings Slurm's own start estimate for the trainer's job shape to the dashboard", async () => {
    const trainer = await waitFor(
      "slurm-cluster's start estimate",
      async () => stack.prisma.trainer.findFirst({ where: { name: "slurm-cluster", schedulerEstimatedAt: { not: null } } }),
      30_000,
    );
    // The one-node cluster is idle: a job would start now.
    expect(trainer.schedulerStartSeconds).not.toBeNull();
    expect(trainer.schedulerStartSeconds!).toBeLessThan(5);
    // The local trainer is no Slurm trainer: it never gets one.
    expect((await stack.prisma.trainer.findUniqueOrThrow({ where: { name: "local-cpu" } })).schedulerEstimatedAt).toBeNull();
  });

  it("succeeds and records the job, its queue wait and the model", async () => {
    const run = await launchInTest(stack, { trainer: "slurm-cluster", epochs: 2, maxSamples: 1000 });
    const jobId = await trainJobId(run.id);
    const done = await stack.waitForRun(run.id, TERMINAL, 170_000);
    if (done.status !== "succeeded") {
      console.error(
        `--- agent-slurm ---\n${stack.output("agent-slurm")}\n--- web ---\n${stack.output("web")}\n--- worker ---\n${stack.output("worker")}`,
      );
    }
    expect(done.status, done.statusReason ?? "").toBe("succeeded");

    const train = await stack.prisma.runStep.findFirstOrThrow({ where: { runId: run.id, name: "train" } });
    const detail = train.detail as { executorJobId: string; schedulerQueueSeconds: number; epochs: number };
    expect(detail.executorJobId).toBe(jobId);
    expect(detail.schedulerQueueSeconds).toBeGreaterThanOrEqual(0);
    expect(detail.epochs).toBe(2);
    // The job was submitted as a standby while the data moved, and the training became it.
    const logs = (await stack.prisma.runLog.findMany({ where: { runId: run.id }, orderBy: { id: "asc" } })).map((log) => log.line);
    expect(logs).toContainEqual(expect.stringContaining("submitted a standby Slurm job"));
    expect(logs).toContainEqual(expect.stringContaining(`training handed to the standby Slurm job ${jobId}`));
    const metrics = await stack.prisma.runMetric.findMany({ where: { runId: run.id }, orderBy: { epoch: "asc" } });
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    expect(await stack.prisma.modelVersion.count({ where: { runId: run.id } })).toBe(1);
    await waitFor(`job ${jobId} to leave squeue`, async () => squeueState(jobId) === null, 30_000, 500);
  });
});

describe("the Retrain dialog open on slurm-cluster stands a job by before the launch", () => {
  const PREPARE: ServerActionRef = { file: "lib/actions/prepare-trainer.ts", exportedName: "prepareTrainerAction" };
  const allPreparedStandbys = () =>
    execFileSync("squeue", ["-h", "-t", "all", "-o", "%i %j %T"], { env: { ...process.env, SLURM_CONF }, encoding: "utf8" })
      .split("\n")
      .filter((line) => / br-prepared-\d+-standby /.test(line));
  // A reused local cluster still lists, for its MinJobAge, the ended standbys of earlier suites (the browser
  // journey's): only the ones this describe's requests submitted count.
  let earlierJobIds = new Set<string>();
  beforeAll(() => {
    earlierJobIds = new Set(allPreparedStandbys().map((line) => line.split(" ")[0]));
  });
  const preparedStandbys = () => allPreparedStandbys().filter((line) => !earlierJobIds.has(line.split(" ")[0]));
  async function prepareAs(email: string) {
    const session = new HttpSession(stack.url);
    expect(await session.signIn(email)).toBe(true);
    const dataset = await stack.prisma.dataset.findFirstOrThrow({ where: { name: { startsWith: "scan-0042" } } });
    const trainer = await stack.prisma.trainer.findUniqueOrThrow({ where: { name: "slurm-cluster" } });
    const args = { experimentId: dataset.experimentId, trainerId: trainer.id };
    return (await callServerAction<ActionState>(session, `/experiments/${dataset.experimentId}`, PREPARE, [args])).result();
  }

  it("is refused to a viewer, and submits nothing", async () => {
    const answer = await prepareAs("viewer@demo.test");
    expect(answer).toMatchObject({ ok: false, message: "Your role (viewer) does not allow this." });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(preparedStandbys()).toEqual([]);
  });

  it("the launch that follows trains in the job that stood by", async () => {
    expect(await prepareAs("scientist@demo.test")).toMatchObject({ ok: true });
    const [standby] = await waitFor(
      "the dialog's standby job to run",
      async () => {
        const jobs = preparedStandbys();
        return jobs.length && jobs.every((line) => line.endsWith(" RUNNING")) ? jobs : null;
      },
      60_000,
      200,
    );
    const standbyJobId = standby.split(" ")[0];
    const run = await launchInTest(stack, { trainer: "slurm-cluster", epochs: 2, maxSamples: 1000 });
    expect(await trainJobId(run.id)).toBe(standbyJobId);
    const done = await stack.waitForRun(run.id, TERMINAL, 170_000);
    expect(done.status, done.statusReason ?? "").toBe("succeeded");
    const logs = (await stack.prisma.runLog.findMany({ where: { runId: run.id }, orderBy: { id: "asc" } })).map((log) => log.line);
    expect(logs).toContainEqual(expect.stringContaining("takes the standby Slurm job the Retrain dialog asked for"));
    expect(logs).toContainEqual(expect.stringContaining(`training handed to the standby Slurm job ${standbyJobId}`));
    expect(logs).not.toContainEqual(expect.stringContaining("submitted a standby Slurm job"));
    // One standby only, and it became the training.
    expect(preparedStandbys()).toHaveLength(1);
  });
});

describe("a stage-in that fails cancels the standby job it submitted", () => {
  it("ends the run failed and leaves no standby holding the cluster", async () => {
    // A dataset whose file changed on the edge after it was registered: the edge refuses to serve it.
    const seeded = await stack.prisma.dataset.findFirstOrThrow({ where: { name: { startsWith: "scan-0042" } } });
    const changed = path.join(stack.agentWorkdir("edge"), "scan-changed.h5");
    writeFileSync(changed, "not the bytes that were registered");
    const { id: _id, createdAt: _createdAt, dataRootId: _dataRootId, shapes, ...fields } = seeded;
    await stack.prisma.dataset.create({ data: { ...fields, shapes: shapes ?? [], name: "scan-changed on the edge", path: changed } });

    const run = await launchInTest(stack, { trainer: "slurm-cluster", dataset: "scan-changed" });
    const done = await stack.waitForRun(run.id, TERMINAL, 120_000);
    expect(done.status).toBe("failed");
    const logs = (await stack.prisma.runLog.findMany({ where: { runId: run.id } })).map((log) => log.line);
    expect(logs).toContainEqual(expect.stringContaining("submitted a standby Slurm job"));
    // Slurm keeps ended jobs listed for MinJobAge: every standby the run's stage-in attempts submitted.
    const standbyStates = () =>
      execFileSync("squeue", ["-h", "-t", "all", "-n", `br-${run.id}-standby`, "-o", "%T"], {
        env: { ...process.env, SLURM_CONF },
        encoding: "utf8",
      })
        .split("\n")
        .filter(Boolean);
    expect(standbyStates().length).toBeGreaterThan(0);
    await waitFor(
      "every standby of the failed run to be cancelled",
      async () => standbyStates().every((state) => state === "CANCELLED"),
      30_000,
      500,
    );
  });
});

describe("cancel reaches the Slurm job of a run", () => {
  it("ends the run canceled and the job is gone from squeue", async () => {
    const run = await launchInTest(stack, { trainer: "slurm-cluster", epochs: 200, maxSamples: 1000 });
    const jobId = await trainJobId(run.id);
    await waitFor(
      `a first epoch of run ${run.id}`,
      async () => (await stack.prisma.runMetric.count({ where: { runId: run.id } })) > 0,
      120_000,
    );
    expect(squeueState(jobId)).toBe("RUNNING");

    await cancelInTest(stack, run.id);
    const done = await stack.waitForRun(run.id, TERMINAL, 60_000);
    expect(done.status, done.statusReason ?? "").toBe("canceled");
    await waitFor(`job ${jobId} to leave squeue`, async () => squeueState(jobId) === null, 30_000, 500);
    expect(zooProcessesOfRun(run.id)).toEqual([]);
    const train = await stack.prisma.runStep.findFirstOrThrow({ where: { runId: run.id, name: "train" } });
    expect(train.status).toBe("canceled");
    expect(await stack.prisma.modelVersion.count({ where: { runId: run.id } })).toBe(0);
    expect(await stack.prisma.runMetric.count({ where: { runId: run.id } })).toBeLessThan(200);
  });
});

describe("a Slurm job outlives its dead agent only until a new agent starts", () => {
  it("makes the run lost, and the restarted agent cancels the orphaned job", async () => {
    const run = await launchInTest(stack, { trainer: "slurm-cluster", epochs: 200, maxSamples: 1000 });
    const jobId = await trainJobId(run.id);
    await waitFor(
      `a first epoch of run ${run.id}`,
      async () => (await stack.prisma.runMetric.count({ where: { runId: run.id } })) > 0,
      120_000,
    );

    const killedAt = Date.now();
    await stack.kill("agent-slurm", "SIGKILL");
    const lost = await stack.waitForRun(run.id, TERMINAL, 30_000);
    expect(lost.status, lost.statusReason ?? "").toBe("lost");
    expect(lost.statusReason).toContain("slurm-login-agent");
    expect((Date.now() - killedAt) / 1000).toBeLessThanOrEqual(LEASE_SECONDS + 4);
    // The batch job does not depend on the agent's process: it is still training, unseen.
    expect(squeueState(jobId)).toBe("RUNNING");

    stack.startAgent("slurm");
    await waitFor(`job ${jobId} to leave squeue`, async () => squeueState(jobId) === null, 60_000, 500);
    await stack.waitForAgents(["slurm-login-agent"]);
    expect(stack.output("agent-slurm")).toContain(`stopped orphaned job ${jobId}`);
    expect(zooProcessesOfRun(run.id)).toEqual([]);
  });
});
