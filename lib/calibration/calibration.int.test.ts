// Calibration on the real stack (issue 9): trainer agents calibrate through their own executor — a local
// process on local-cpu, a Slurm job on slurm-cluster — and the edge agent its C(E), on first connection;
// staff's Recalibrate makes the trainer's agent measure again; predictions then rest on the calibration.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Stack, waitFor } from "@/testing/stack";

vi.setConfig({ testTimeout: 300_000 });
const SLURM_CONF = process.env.SLURM_CONF ?? path.resolve(__dirname, "../../../.data/slurm/slurm.conf");
const FAMILIES = 2;

let stack: Stack;

beforeAll(async () => {
  // The cluster must be up (scripts/test.sh starts it); fail, never skip, when it is not.
  expect(() => execFileSync("squeue", ["-h"], { env: { ...process.env, SLURM_CONF }, stdio: "pipe", timeout: 15_000 })).not.toThrow();
  stack = await Stack.create({ name: "calibration", env: { AGENT_CALIBRATE: "1" } });
  await stack.startWeb();
  stack.startWorker();
});
afterAll(async () => {
  await stack?.stop();
});

/** Starts an agent and waits for its calibrations; agents start one by one, as their hosts share two cores here. */
async function connectAndCalibrate(role: "trainer" | "slurm" | "edge", agent: string, where: { trainerName?: string; host?: string }) {
  stack.startAgent(role);
  await stack.waitForAgents([agent]);
  return calibrationsOf(where, FAMILIES).catch((error: Error) => {
    throw new Error(`${error.message}\n--- ${agent} ---\n${stack.output(`agent-${role}`).slice(-3000)}`);
  });
}

async function calibrationsOf(where: { trainerName?: string; host?: string }, atLeast: number, after = new Date(0)) {
  const trainer = where.trainerName ? await stack.prisma.trainer.findUniqueOrThrow({ where: { name: where.trainerName } }) : null;
  return waitFor(
    `${atLeast} calibrations of ${where.trainerName ?? where.host}`,
    async () => {
      const rows = await stack.prisma.measurement.findMany({
        where: { source: "calibration", createdAt: { gt: after }, ...(trainer ? { trainerId: trainer.id } : { host: where.host }) },
        include: { family: { select: { key: true } } },
      });
      return rows.length >= atLeast ? rows : null;
    },
    180_000,
    500,
  );
}

describe("calibration", () => {
  it("measures each trainer through its own executor and the edge host's C(E) on first connection", async () => {
    const local = await connectAndCalibrate("trainer", "local-trainer-agent", { trainerName: "local-cpu" });
    const slurm = await connectAndCalibrate("slurm", "slurm-login-agent", { trainerName: "slurm-cluster" });
    const edge = await connectAndCalibrate("edge", "edge-agent", { host: "aps-1id-edge" });
    for (const row of [...local, ...slurm]) {
      expect(row.kind).toBe("training");
      // Submit → model built: a local job may start from the agent's warm zoo process (torch already
      // imported), as the runs after it will; a Slurm job always starts Python and imports torch itself.
      expect(row.startupSeconds).toBeGreaterThan(slurm.includes(row) ? 0.2 : 0);
      expect(row.startupSeconds).toBeLessThan(120);
      expect(row.secondsPerDatum).toBeGreaterThan(0);
      expect(row.valSecondsPerDatum).toBeGreaterThan(0);
      // Steps at two batch sizes (8 and at least 32) separate a step's fixed cost from its cost per sample.
      expect(row.batchSize).toBeGreaterThanOrEqual(32);
      expect(row.stepSeconds).not.toBeNull();
      expect(row.stepSeconds!).toBeLessThanOrEqual(row.secondsPerDatum * row.batchSize!);
      expect(row.zooVersion).toMatch(/^\d+\.\d+/);
    }
    expect(new Set(local.map((r) => r.family.key))).toEqual(new Set(["braggnn", "cookienetae"]));
    // Only a Slurm job has a job-start latency, and it is part of the start-up (submit → model built).
    expect(local.every((r) => r.jobStartSeconds === null)).toBe(true);
    for (const row of slurm) {
      expect(row.jobStartSeconds).not.toBeNull();
      expect(row.startupSeconds!).toBeGreaterThanOrEqual(row.jobStartSeconds!);
    }
    expect(edge.every((r) => r.kind === "inference" && r.secondsPerDatum > 0)).toBe(true);
    // Once calibrated at these versions, the agents do not calibrate again on later heartbeats.
    await new Promise((r) => setTimeout(r, 8000));
    expect(await stack.prisma.measurement.count({ where: { source: "calibration" } })).toBe(3 * FAMILIES);
  });

  it("recalibrates a trainer after staff ask for it, and predictions then rest on calibration", async () => {
    process.env.DATABASE_URL = stack.databaseUrl;
    const { requestRecalibration } = await import("@/lib/calibration/calibrations");
    const { predictLaunches } = await import("@/lib/server/predictions/predict-launch");
    const staff = await stack.prisma.user.findUniqueOrThrow({ where: { email: "staff@demo.test" } });
    const trainer = await stack.prisma.trainer.findUniqueOrThrow({ where: { name: "local-cpu" } });
    const before = new Date();
    await requestRecalibration({ actorId: staff.id, trainerId: trainer.id });
    const again = await calibrationsOf({ trainerName: "local-cpu" }, FAMILIES, before);
    expect(again).toHaveLength(FAMILIES);
    expect(await stack.prisma.auditEvent.count({ where: { action: "trainer.recalibrate", targetId: trainer.id } })).toBe(1);

    const scientist = await stack.prisma.user.findUniqueOrThrow({ where: { email: "scientist@demo.test" } });
    const dataset = await stack.prisma.dataset.findFirstOrThrow({ where: { name: { startsWith: "scan-0042" } } });
    const { trainers } = await predictLaunches({
      actor: scientist,
      request: { experimentId: dataset.experimentId, datasetId: dataset.id, epochs: 4, batchSize: 512, maxSamples: 2000 },
    });
    const onLocal = trainers.find((t) => t.trainer.trainerName === "local-cpu")!;
    expect(onLocal.trainer.calibratedAt).not.toBeNull();
    expect(onLocal.prediction?.steps.train.source).toBe("calibration");
    expect(onLocal.prediction?.steps.deploy.source).toBe("calibration");
    // Start-up alone is seconds: the uncalibrated paper figure (tens of ms) is gone.
    expect(onLocal.prediction!.steps.train.seconds).toBeGreaterThan(again[0].startupSeconds! * 0.9);
    expect(onLocal.prediction!.plusMinusSeconds).toBeGreaterThan(0);
  });
});
