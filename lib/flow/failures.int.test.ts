// Failure handling of the retrain run on the real stack (DESIGN §4–5): a dead agent makes its run
// `lost` within a bounded time and frees the trainer; restarting the dashboard and the worker loses
// and repeats nothing; cancel reaches the training process; a retry resumes from the failed step.
// Real processes only: the built dashboard, the worker, the agents, PostgreSQL and PyTorch.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Stack, waitFor } from "@/testing/stack";
import { cancelInTest, launchInTest, retryInTest } from "@/testing/launch";
import { expectedDeployments } from "@/testing/deploy-outcome";
import { zooProcessesOfRun } from "@/testing/procs";

const LEASE_SECONDS = 6; // AGENT_LEASE_SECONDS of the test stack
const TERMINAL = ["succeeded", "failed", "lost", "canceled"];
// Waits below carry their own bounds (and messages); the test limit only backs them up.
vi.setConfig({ testTimeout: 240_000 });

let stack: Stack;
let lostRunId: string | null = null;

beforeAll(async () => {
  stack = await Stack.create({ name: "failures" });
  await stack.startAll();
});
afterAll(async () => {
  await stack?.stop();
});

/** Waits until the train step runs and at least one epoch was reported (the training process is busy). */
async function waitForTraining(runId: string) {
  await stack.waitForStep(runId, "train", "running", 120_000);
  await waitFor(`a first epoch of run ${runId}`, async () => (await stack.prisma.runMetric.count({ where: { runId } })) > 0, 120_000, 200);
}

describe("an agent that dies mid-training: the run becomes lost within a bounded time and frees its trainer", () => {
  it("declares the run lost naming the agent, stops the orphaned job, and the trainer takes a new run", async () => {
    // Long enough to be still training when its agent is killed (a warm zoo process starts at once),
    // short enough for the retry below to train it all again.
    const run = await launchInTest(stack, { epochs: 60, maxSamples: 1000 });
    lostRunId = run.id;
    await waitForTraining(run.id);
    expect(zooProcessesOfRun(run.id).length, "the training process runs before the kill").toBeGreaterThan(0);
    // A second run waits for the trainer's only slot.
    const next = await launchInTest(stack, { epochs: 1, maxSamples: 500 });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await stack.prisma.run.findUniqueOrThrow({ where: { id: next.id } })).status).toBe("queued");
    expect(await stack.prisma.task.count({ where: { runId: next.id } })).toBe(0);

    const killedAt = Date.now();
    await stack.kill("agent-trainer", "SIGKILL");
    const lost = await stack.waitForRun(run.id, TERMINAL, 30_000);
    const elapsed = (Date.now() - killedAt) / 1000;
    expect(lost.status, lost.statusReason ?? "").toBe("lost");
    // The last lease renewal was at most a heartbeat (lease/4) before the kill: lost after the lease,
    // not before it minus one heartbeat, and not long after (sweep every 0.5 s + polling slack).
    expect(elapsed).toBeGreaterThanOrEqual(LEASE_SECONDS - LEASE_SECONDS / 4 - 0.5);
    expect(elapsed).toBeLessThanOrEqual(LEASE_SECONDS + 4);
    expect(lost.statusReason).toContain("local-trainer-agent");
    expect(lost.statusReason).toMatch(/lease/i);

    const train = await stack.prisma.runStep.findFirstOrThrow({ where: { runId: run.id, name: "train" } });
    expect(train.status).toBe("lost");
    const task = await stack.prisma.task.findFirstOrThrow({ where: { runId: run.id, kind: "train" } });
    expect(task.status).toBe("lost");
    expect(await stack.prisma.runStep.count({ where: { runId: run.id, status: { in: ["running", "pending"] } } })).toBe(0);

    // A new agent in the same working directory stops what its predecessor left running (the lost run
    // must not go on training unseen, nor twice after a retry). A local job usually dies first on its
    // own (SIGPIPE at its next output line, the agent's end of the pipe being gone); a Slurm job does
    // not, and slurm-run.int.test.ts checks that the new agent cancels it.
    stack.startAgent("trainer");
    await stack.waitForAgents(["local-trainer-agent"]);
    await waitFor(`no training process of run ${run.id}`, async () => zooProcessesOfRun(run.id).length === 0, 15_000, 200);

    // The slot is free: the queued run on the same trainer (concurrency 1) left the queue and goes through.
    const done = await stack.waitForRun(next.id, TERMINAL, 120_000);
    expect(done.status, done.statusReason ?? "").toBe("succeeded");
    const queued = await stack.prisma.runStep.findFirstOrThrow({ where: { runId: next.id, name: "queue" } });
    expect(queued.endedAt!.getTime()).toBeGreaterThanOrEqual(lost.endedAt!.getTime());
    expect(queued.endedAt!.getTime() - lost.endedAt!.getTime()).toBeLessThan(3000);
  });
});

describe("a retry resumes a lost run from the step that did not finish", () => {
  it("starts train again as attempt 2, keeps the finished steps, and succeeds", async () => {
    expect(lostRunId, "the lost run of the previous test").not.toBeNull();
    const runId = lostRunId!;
    const from = await retryInTest(stack, runId);
    expect(from).toEqual({ step: "train", attempt: 2 });
    const done = await stack.waitForRun(runId, TERMINAL, 150_000);
    expect(done.status, done.statusReason ?? "").toBe("succeeded");

    const steps = await stack.prisma.runStep.findMany({ where: { runId }, orderBy: [{ name: "asc" }, { attempt: "asc" }] });
    const byName = (name: string) => steps.filter((s) => s.name === name).map((s) => [s.attempt, s.status]);
    expect(byName("queue")).toEqual([[1, "succeeded"]]);
    expect(byName("stage_in")).toEqual([[1, "succeeded"]]); // not moved again
    expect(byName("train")).toEqual([
      [1, "lost"],
      [2, "succeeded"],
    ]);
    expect(byName("stage_out")).toEqual([[1, "succeeded"]]);
    expect(byName("deploy")).toEqual([[1, "succeeded"]]);
    expect(await stack.prisma.task.count({ where: { runId, kind: "stage_in" } })).toBe(1);
    expect(await stack.prisma.modelVersion.count({ where: { runId } })).toBe(1);
    const log = await stack.prisma.runLog.findMany({ where: { runId, source: "dashboard" } });
    expect(log.map((l) => l.line)).toContain("Retry from train (attempt 2).");
  });
});

describe("the dashboard and the worker killed and restarted mid-run: the run completes exactly once", () => {
  it("loses, repeats and stalls nothing", async () => {
    // After the 60-epoch run above this one may measure worse and be held back: deployed once, or not at all.
    const run = await launchInTest(stack, { epochs: 20, maxSamples: 1000 });
    await waitForTraining(run.id);

    await Promise.all([stack.kill("web", "SIGKILL"), stack.kill("worker", "SIGKILL")]);
    await new Promise((r) => setTimeout(r, 1000));
    // Both come back together, as after a reboot of the dashboard's machine.
    stack.startWorker();
    await stack.startWeb();

    const done = await stack.waitForRun(run.id, TERMINAL, 150_000);
    expect(done.status, done.statusReason ?? "").toBe("succeeded");

    const steps = await stack.prisma.runStep.findMany({ where: { runId: run.id } });
    expect(steps.map((s) => `${s.name}:${s.attempt}:${s.status}`).sort()).toEqual(
      ["queue:1:succeeded", "stage_in:1:succeeded", "train:1:succeeded", "stage_out:1:succeeded", "deploy:1:succeeded"].sort(),
    );
    const tasks = await stack.prisma.task.findMany({ where: { runId: run.id } });
    expect(tasks.map((t) => `${t.kind}:${t.status}`).sort()).toEqual(
      ["stage_in:succeeded", "train:succeeded", "stage_out:succeeded", "deploy:succeeded"].sort(),
    );
    expect(await stack.prisma.modelVersion.count({ where: { runId: run.id } })).toBe(1);
    expect(await stack.prisma.deployment.count({ where: { modelVersion: { runId: run.id } } })).toBe(
      await expectedDeployments(stack, run.id),
    );
    const metrics = await stack.prisma.runMetric.findMany({ where: { runId: run.id }, orderBy: { epoch: "asc" } });
    expect(metrics.map((m) => m.epoch)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe("the dashboard down for longer than a lease while the worker runs: agents could not renew, so nobody is lost", () => {
  it("completes the run exactly once after the dashboard is back", async () => {
    const run = await launchInTest(stack, { epochs: 20, maxSamples: 1000 });
    await waitForTraining(run.id);
    await stack.kill("web", "SIGKILL");
    await new Promise((r) => setTimeout(r, (LEASE_SECONDS + 3) * 1000)); // every lease has run out meanwhile
    await stack.startWeb();

    const done = await stack.waitForRun(run.id, TERMINAL, 150_000);
    expect(done.status, done.statusReason ?? "").toBe("succeeded");
    const steps = await stack.prisma.runStep.findMany({ where: { runId: run.id } });
    expect(steps.map((s) => `${s.name}:${s.attempt}:${s.status}`).sort()).toEqual(
      ["queue:1:succeeded", "stage_in:1:succeeded", "train:1:succeeded", "stage_out:1:succeeded", "deploy:1:succeeded"].sort(),
    );
    expect(await stack.prisma.task.count({ where: { runId: run.id, status: { not: "succeeded" } } })).toBe(0);
    expect(await stack.prisma.modelVersion.count({ where: { runId: run.id } })).toBe(1);
  });
});

describe("cancel during local training stops the training process group", () => {
  it("leaves no process of the run and ends the run canceled", async () => {
    const run = await launchInTest(stack, { epochs: 200, maxSamples: 1000 });
    await waitForTraining(run.id);
    const before = zooProcessesOfRun(run.id);
    expect(before.length).toBeGreaterThan(0);

    await cancelInTest(stack, run.id);
    const done = await stack.waitForRun(run.id, TERMINAL, 40_000);
    expect(done.status, done.statusReason ?? "").toBe("canceled");
    // The agent reports "canceled" only after the process group ended (SIGTERM, SIGKILL after a grace).
    expect(zooProcessesOfRun(run.id)).toEqual([]);
    for (const p of before) expect(zooProcessesOfRun(run.id).map((q) => q.pid)).not.toContain(p.pid);

    const train = await stack.prisma.runStep.findFirstOrThrow({ where: { runId: run.id, name: "train" } });
    expect(train.status).toBe("canceled");
    expect(await stack.prisma.task.count({ where: { runId: run.id, status: { in: ["pending", "leased"] } } })).toBe(0);
    expect(await stack.prisma.modelVersion.count({ where: { runId: run.id } })).toBe(0);
    const metrics = await stack.prisma.runMetric.count({ where: { runId: run.id } });
    expect(metrics).toBeLessThan(200);
  });
});

describe("an agent that froze (as behind a network partition) and comes back after its run was declared lost", () => {
  it("stops its training at once and changes nothing about the lost run", async () => {
    const run = await launchInTest(stack, { epochs: 200, maxSamples: 1000 });
    await waitForTraining(run.id);
    stack.signal("agent-trainer", "SIGSTOP");
    let resumed = false;
    try {
      const lost = await stack.waitForRun(run.id, TERMINAL, 30_000);
      expect(lost.status, lost.statusReason ?? "").toBe("lost");
      const metricsWhenLost = await stack.prisma.runMetric.count({ where: { runId: run.id } });
      const stepsWhenLost = await stack.prisma.runStep.findMany({ where: { runId: run.id }, orderBy: { id: "asc" } });

      stack.signal("agent-trainer", "SIGCONT");
      resumed = true;
      // Its first heartbeat learns the task is no longer its own: the training must stop, not go on unseen.
      await waitFor(`no training process of run ${run.id}`, async () => zooProcessesOfRun(run.id).length === 0, 20_000, 200);
      await new Promise((r) => setTimeout(r, 1500)); // let its late reports arrive (and be refused)

      const after = await stack.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      expect(after.status).toBe("lost");
      expect(after.statusReason).toBe(lost.statusReason);
      expect(await stack.prisma.runStep.findMany({ where: { runId: run.id }, orderBy: { id: "asc" } })).toEqual(stepsWhenLost);
      expect(await stack.prisma.runMetric.count({ where: { runId: run.id } })).toBe(metricsWhenLost);
      expect(await stack.prisma.task.count({ where: { runId: run.id, status: "lost" } })).toBe(1);
      await stack.waitForAgents(["local-trainer-agent"]);
    } finally {
      if (!resumed) stack.signal("agent-trainer", "SIGCONT");
    }
  });
});

describe("a task waiting for an agent that is offline does not wait forever", () => {
  it("ends the run lost, naming the offline agent, after the offline bound", async () => {
    const OFFLINE_SECONDS = 20; // AGENT_OFFLINE_SECONDS of the test stack
    await stack.kill("agent-trainer", "SIGTERM");
    const stoppedAt = Date.now();
    const run = await launchInTest(stack, { epochs: 1, maxSamples: 500 });
    await stack.waitForStep(run.id, "stage_in", "running", 10_000);
    const lost = await stack.waitForRun(run.id, TERMINAL, (OFFLINE_SECONDS + 15) * 1000);
    const elapsed = (Date.now() - stoppedAt) / 1000;
    expect(lost.status, lost.statusReason ?? "").toBe("lost");
    expect(lost.statusReason).toMatch(/local-trainer-agent is offline/);
    expect(elapsed).toBeGreaterThanOrEqual(OFFLINE_SECONDS - 2);
    expect(elapsed).toBeLessThanOrEqual(OFFLINE_SECONDS + 5);
    const task = await stack.prisma.task.findFirstOrThrow({ where: { runId: run.id } });
    expect([task.kind, task.status]).toEqual(["stage_in", "lost"]);
  });
});
