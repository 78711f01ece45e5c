// Data-plane probes on the real stack (issue 9): on a fresh stack, before any run, the edge agent and the local
// trainer's agent move probe files each way through the data plane, so the Retrain dialog's stage-in and
// stage-out rest on T = x/v + S fitted on that route instead of the paper's 1 GB/s; and a run launched while a
// probe is moving bytes takes the link at once (the probe is dropped, not waited for).
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Stack, waitFor } from "@/testing/stack";
import { launchInTest } from "@/testing/launch";

vi.setConfig({ testTimeout: 240_000 });

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.create({ name: "probe", env: { AGENT_PROBE: "1" } });
  await stack.startWeb();
  stack.startWorker();
  stack.startAgent("trainer");
  stack.startAgent("edge");
  await stack.waitForAgents(["local-trainer-agent", "edge-agent"]);
});
afterAll(async () => {
  await stack?.stop();
});

async function route() {
  const [edge, trainer] = await Promise.all([
    stack.prisma.agent.findFirstOrThrow({ where: { name: "edge-agent" } }),
    stack.prisma.agent.findFirstOrThrow({ where: { name: "local-trainer-agent" } }),
  ]);
  return { edgeAgentId: edge.id, trainerAgentId: trainer.id };
}

async function probeEnded(after: Date) {
  return waitFor(
    "a probe of edge-agent ⇄ local-trainer-agent to end",
    async () =>
      stack.prisma.transferProbe.findFirst({
        where: { ...(await route()), createdAt: { gt: after }, status: { not: "open" } },
        include: { transfers: true },
      }),
    90_000,
    100,
  );
}

/** What a failed wait needs to be understood: the probes, their transfers, the agents' and tasks' state, the logs. */
async function probeStory() {
  const [probes, agents, tasks] = await Promise.all([
    stack.prisma.transferProbe.findMany({
      include: { transfers: { select: { status: true, bytes: true, destAgentId: true, error: true } } },
    }),
    stack.prisma.agent.findMany({ select: { name: true, probeReady: true, lastHeartbeatAt: true, version: true } }),
    stack.prisma.task.findMany({ where: { status: { in: ["pending", "leased"] } }, select: { kind: true, status: true, agentId: true } }),
  ]);
  const trainer = await stack.prisma.trainer.findUniqueOrThrow({ where: { name: "local-cpu" }, select: { recalibrateRequestedAt: true } });
  return [
    `now ${new Date().toISOString()}; local-cpu recalibrate requested ${trainer.recalibrateRequestedAt?.toISOString()}`,
    `probes: ${JSON.stringify(probes, (_, v) => (typeof v === "bigint" ? Number(v) : v))}`,
    `agents: ${JSON.stringify(agents)}`,
    `open tasks: ${JSON.stringify(tasks)}`,
    `--- web ---\n${stack.output("web").slice(-1500)}`,
    `--- trainer ---\n${stack.output("agent-trainer").slice(-2000)}`,
    `--- edge ---\n${stack.output("agent-edge").slice(-2000)}`,
  ].join("\n");
}

async function predictionOnLocal() {
  process.env.DATABASE_URL = stack.databaseUrl;
  const { predictLaunches } = await import("@/lib/server/predictions/predict-launch");
  const scientist = await stack.prisma.user.findUniqueOrThrow({ where: { email: "scientist@demo.test" } });
  const dataset = await stack.prisma.dataset.findFirstOrThrow({ where: { name: { startsWith: "scan-0042" } } });
  const { trainers } = await predictLaunches({
    actor: scientist,
    request: { experimentId: dataset.experimentId, datasetId: dataset.id, epochs: 2, batchSize: 256, maxSamples: 1000 },
  });
  return { dataset, prediction: trainers.find((t) => t.trainer.trainerName === "local-cpu")!.prediction! };
}

describe("data-plane probe", () => {
  it("fits T = x/v + S on the route edge → local trainer before any run, and the prediction rests on it", async () => {
    expect(await stack.prisma.run.count()).toBe(0);
    const probe = await probeEnded(new Date(0)).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await probeStory()}`);
    });
    expect(probe.status, probe.error ?? "").toBe("succeeded");
    expect(probe.reason).toBe("no probe on this route yet");
    const ids = await route();
    // Three sizes each way, through the run's own data plane and authorisation, with no run behind them.
    const stageIn = probe.transfers.filter((t) => t.sourceAgentId === ids.edgeAgentId && t.destAgentId === ids.trainerAgentId);
    const stageOut = probe.transfers.filter((t) => t.sourceAgentId === ids.trainerAgentId && t.destAgentId === ids.edgeAgentId);
    for (const direction of [stageIn, stageOut]) {
      expect(direction.map((t) => Number(t.bytes)).sort((a, b) => a - b)).toEqual([1, 8, 64].map((m) => m * 2 ** 20));
      for (const t of direction) {
        expect(t).toMatchObject({ status: "succeeded", purpose: "probe", runId: null });
        expect(t.seconds).toBeGreaterThan(0);
      }
    }
    // One direction at a time: stage-out began after every stage-in transfer was done.
    expect(Math.min(...stageOut.map((t) => t.completedAt!.getTime()))).toBeGreaterThanOrEqual(
      Math.max(...stageIn.map((t) => t.completedAt!.getTime())),
    );
    const wall = (probe.completedAt!.getTime() - probe.createdAt.getTime()) / 1000;
    const moving = [...stageIn, ...stageOut].reduce((sum, t) => sum + t.seconds!, 0);
    console.log(`probe: ${wall.toFixed(2)} s from opening to done, ${moving.toFixed(3)} s of transfers`);
    // Seconds, not minutes (heartbeats hand out each side's part, every lease/4 = 1.5 s here).
    expect(wall).toBeLessThan(30);

    // The probe files are deleted on both sides once the probe is over.
    for (const role of ["trainer", "edge"] as const) {
      const dir = path.join(stack.agentWorkdir(role), "probes");
      await waitFor(`${role}'s probe files deleted`, async () => !fs.existsSync(dir) || fs.readdirSync(dir).length === 0, 15_000);
    }

    const { dataset, prediction } = await predictionOnLocal();
    for (const step of [prediction.steps.stageIn, prediction.steps.stageOut]) {
      expect(step.source).toBe("calibration");
      expect(step.note).toContain("T = x/v + S over 3 data-plane probe transfers");
    }
    process.env.DATABASE_URL = stack.databaseUrl;
    const { listRouteFits } = await import("@/lib/server/predictions/list-route-fits");
    const trainer = await stack.prisma.trainer.findUniqueOrThrow({ where: { name: "local-cpu" } });
    const fits = (await listRouteFits())[trainer.id];
    const fitIn = fits.find((f) => f.route === "aps-1id-edge → local-cpu")!;
    expect(fitIn).toMatchObject({ transfers: 3, probes: 3 });
    expect(fitIn.bytesPerSecond).toBeGreaterThan(1e6);
    console.log(
      `fits: ${fits.map((f) => `${f.route} v ${((f.bytesPerSecond ?? 0) / 1e6).toFixed(0)} MB/s S ${((f.startupSeconds ?? 0) * 1e3).toFixed(1)} ms`).join("; ")}`,
    );
    console.log(`stage-in of ${Number(dataset.bytes)} bytes predicted ${prediction.steps.stageIn.seconds.toFixed(3)} s`);

    // Not probed again at the same versions.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(await stack.prisma.transferProbe.count()).toBe(1);
  });

  it("runs the probe before the calibration when staff's Recalibrate makes both due at once: neither drops the other", async () => {
    // This stack's agents do not calibrate (AGENT_CALIBRATE=0): the trainer's agent comes back calibrating, and does so
    // on this first connection of its own.
    const trainer = await stack.prisma.trainer.findUniqueOrThrow({ where: { name: "local-cpu" } });
    const calibratedSince = async (since: Date) =>
      (await stack.prisma.measurement.count({ where: { source: "calibration", trainerId: trainer.id, createdAt: { gt: since } } })) >= 2;
    await stack.kill("agent-trainer", "SIGTERM");
    stack.startAgent("trainer", { AGENT_CALIBRATE: "1" });
    await waitFor("the trainer's first calibration", () => calibratedSince(new Date(0)), 180_000, 200);
    process.env.DATABASE_URL = stack.databaseUrl;
    const { requestRecalibration } = await import("@/lib/calibration/calibrations");
    const staff = await stack.prisma.user.findUniqueOrThrow({ where: { email: "staff@demo.test" } });
    const before = new Date();
    await requestRecalibration({ actorId: staff.id, trainerId: trainer.id });
    // Before this change the calibration began in the same heartbeat and the trainer dropped the probe for it.
    const probe = await probeEnded(before).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await probeStory()}`);
    });
    expect(probe.status, probe.error ?? "").toBe("succeeded");
    expect(probe.reason).toBe("requested by staff");
    await waitFor("the calibration staff asked for", () => calibratedSince(before), 180_000, 200);
    // The next test wants the trainer's agent as the stack starts it (not calibrating).
    await stack.kill("agent-trainer", "SIGTERM");
    stack.startAgent("trainer");
    await stack.waitForAgents(["local-trainer-agent"]);
  });

  it("gives way to a run launched while a probe moves bytes: the run's task is not held up, the probe is dropped", async () => {
    // Larger files, so the probe is still moving bytes when the run arrives.
    await stack.kill("web");
    await stack.startWeb("web", undefined, { TRANSFER_PROBE_MIB: "16,256,512" });
    process.env.DATABASE_URL = stack.databaseUrl;
    const { requestRecalibration } = await import("@/lib/calibration/calibrations");
    const staff = await stack.prisma.user.findUniqueOrThrow({ where: { email: "staff@demo.test" } });
    const trainer = await stack.prisma.trainer.findUniqueOrThrow({ where: { name: "local-cpu" } });
    const before = new Date();
    await requestRecalibration({ actorId: staff.id, trainerId: trainer.id });
    // A stage-in probe transfer authorised by the edge's data plane and not yet reported: the trainer is fetching.
    const { trainerAgentId } = await route();
    const inFlight = await waitFor(
      "a probe transfer in flight",
      async () =>
        stack.prisma.transfer.findFirst({
          where: { probeId: { not: null }, destAgentId: trainerAgentId, status: "active", createdAt: { gt: before } },
          include: { probe: true },
        }),
      60_000,
      20,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await probeStory()}`);
    });
    expect(inFlight.probe!.reason).toBe("requested by staff");
    const launchedAt = Date.now();
    const run = await launchInTest(stack, { epochs: 1 });
    const claimed = await waitFor(
      "the run's stage-in task claimed",
      async () => stack.prisma.task.findFirst({ where: { runId: run.id, kind: "stage_in", leasedAt: { not: null } } }),
      30_000,
      20,
    );
    const dispatch = (claimed.leasedAt!.getTime() - launchedAt) / 1000;
    console.log(`run launched mid-probe: stage-in task claimed ${dispatch.toFixed(3)} s after launch`);
    // The agent's claim loop never waits on the probe (it runs beside it): an idle dispatch is well under a second.
    expect(dispatch).toBeLessThan(3);

    const probe = await probeEnded(before);
    expect(probe.status).toBe("failed");
    // The trainer dropped it when the task arrived (or, a few ms earlier, its next probe transfer was refused
    // because the task was already waiting for it).
    expect(probe.error).toMatch(/^local-trainer-agent: (interrupted: task stage_in|.*(401|403))/);
    // No probe bytes were counted once the run held the trainer: nothing of it succeeded after the claim.
    for (const t of probe.transfers) {
      if (t.status === "succeeded") expect(t.completedAt!.getTime()).toBeLessThanOrEqual(claimed.leasedAt!.getTime());
    }
    const done = await stack.waitForRun(run.id, ["succeeded", "failed"]);
    expect(done.status, done.statusReason ?? "").toBe("succeeded");
    const moved = await stack.prisma.transfer.findMany({ where: { runId: run.id }, orderBy: { createdAt: "asc" } });
    console.log(
      `the run's own transfers: ${moved.map((t) => `${t.purpose} ${Number(t.bytes)} B in ${t.seconds?.toFixed(3)} s (first byte ${((t.startupSeconds ?? 0) * 1e3).toFixed(1)} ms)`).join("; ")}`,
    );
    // The interrupted route is not probed again at once (it waits PROBE_RETRY_SECONDS), so the run was alone.
    expect(await stack.prisma.transferProbe.count({ where: { createdAt: { gt: before } } })).toBe(1);
  });
});
