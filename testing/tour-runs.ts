// Runs in every state for the page tour (e2e/tour.spec.ts) and the live-list tests, written straight into a
// test database: they look at pages and lists, so they need the rows a run leaves, not a real training. Each
// run is shaped as the flow leaves it (steps, metrics, logs, a transfer, a stored prediction). The running and
// queued runs sit on a trainer of their own whose agent holds the training task's lease for hours, so the
// worker's sweeper leaves both as they are: the running one keeps its slot and the queued one waits for it.
import { randomUUID } from "node:crypto";
import type { PrismaClient, Prisma, RunStatus, StepName, StepStatus } from "@/lib/generated/prisma/client";
import { newSecret } from "@/lib/flow/tokens";

export const TOUR_TRAINER = "tour-a100";

type StepPlan = { name: StepName; status: StepStatus; seconds: number; error?: string };

interface TourRun {
  status: RunStatus;
  family: "braggnn" | "cookienetae";
  dataset: string;
  trainer: "local-cpu" | typeof TOUR_TRAINER;
  by: "scientist" | "pi";
  predicted: boolean;
  steps: StepPlan[];
  epochs: number;
  statusReason?: string;
}

const ok = (name: StepName, seconds: number): StepPlan => ({ name, status: "succeeded", seconds });

export const TOUR_RUNS: readonly TourRun[] = [
  {
    status: "succeeded",
    family: "braggnn",
    dataset: "scan-0042 patches (simulated)",
    trainer: "local-cpu",
    by: "scientist",
    predicted: true,
    epochs: 6,
    steps: [ok("queue", 0.4), ok("stage_in", 2.1), ok("train", 41.5), ok("stage_out", 0.6), ok("deploy", 3.2)],
  },
  {
    status: "failed",
    family: "cookienetae",
    dataset: "run-117 spectra (simulated)",
    trainer: "local-cpu",
    by: "pi",
    predicted: true,
    epochs: 2,
    statusReason: "Train failed: the training process exited with code 1 (out of memory).",
    steps: [ok("queue", 0.2), ok("stage_in", 1.4), { name: "train", status: "failed", seconds: 12.5, error: "exit code 1: out of memory" }],
  },
  {
    status: "lost",
    family: "braggnn",
    dataset: "scan-0043 unlabelled",
    trainer: "local-cpu",
    by: "scientist",
    predicted: false,
    epochs: 4,
    statusReason: "Agent local-trainer-agent stopped answering during stage_out; its lease of 20s expired.",
    steps: [
      ok("queue", 0.3),
      ok("stage_in", 0.9),
      ok("label", 5.5),
      ok("train", 22.4),
      { name: "stage_out", status: "lost", seconds: 20, error: "lease expired" },
    ],
  },
  {
    status: "canceled",
    family: "cookienetae",
    dataset: "run-117 spectra (simulated)",
    trainer: "local-cpu",
    by: "scientist",
    predicted: false,
    epochs: 1,
    statusReason: "Canceled by Sofia Scientist.",
    steps: [ok("queue", 0.2), ok("stage_in", 1.1), { name: "train", status: "canceled", seconds: 6.3 }],
  },
  {
    status: "running",
    family: "braggnn",
    dataset: "scan-0042 patches (simulated)",
    trainer: TOUR_TRAINER,
    by: "scientist",
    predicted: true,
    epochs: 3,
    steps: [ok("queue", 0.5), ok("stage_in", 2.4), { name: "train", status: "running", seconds: 0 }],
  },
  {
    status: "queued",
    family: "cookienetae",
    dataset: "run-117 spectra (simulated)",
    trainer: TOUR_TRAINER,
    by: "pi",
    predicted: false,
    epochs: 0,
    steps: [{ name: "queue", status: "running", seconds: 0 }],
  },
];

const PREDICTION_KEYS: Partial<Record<StepName, string>> = {
  queue: "queue",
  stage_in: "stageIn",
  label: "label",
  train: "train",
  stage_out: "stageOut",
  deploy: "deploy",
};

/** What the Retrain dialog would have stored: each step's time off by a few per cent, ± 10 %. */
function prediction(steps: readonly StepPlan[]): Prisma.InputJsonValue {
  const perStep: Record<string, { seconds: number; plusMinusSeconds: number; source: "measured" }> = {};
  let total = 0;
  for (const [i, s] of steps.entries()) {
    const seconds = Math.max(0.1, s.seconds * (i % 2 === 0 ? 1.08 : 0.94));
    perStep[PREDICTION_KEYS[s.name]!] = { seconds, plusMinusSeconds: seconds * 0.1, source: "measured" };
    total += seconds;
  }
  return { totalSeconds: total, plusMinusSeconds: total * 0.1, steps: perStep, basis: ["tour: measured step rates"] };
}

/** Seeds one run per state; returns their ids by state. */
export async function seedTourRuns(prisma: PrismaClient, now = new Date()) {
  const users = Object.fromEntries(
    (await prisma.user.findMany({ where: { email: { in: ["scientist@demo.test", "pi@demo.test"] } } })).map((u) => [
      u.email.split("@")[0],
      u.id,
    ]),
  );
  const families = Object.fromEntries((await prisma.modelFamily.findMany()).map((f) => [f.key, f.id]));
  const datasets = await prisma.dataset.findMany({ include: { experiment: { select: { id: true } } } });
  const edge = await prisma.edgeHost.findUniqueOrThrow({ where: { name: "aps-1id-edge" }, include: { agents: true } });
  const local = await prisma.trainer.findUniqueOrThrow({ where: { name: "local-cpu" }, include: { agents: true } });
  const tour = await prisma.trainer.upsert({
    where: { name: TOUR_TRAINER },
    update: {},
    create: { name: TOUR_TRAINER, site: "tour (no hardware)", hardware: "A100 (seeded rows only)", executor: "slurm", concurrency: 1 },
  });
  const secret = newSecret("brt");
  const tourAgent = await prisma.agent.create({
    data: {
      name: `tour-agent-${secret.display.slice(-4)}`,
      kind: "trainer",
      trainerId: tour.id,
      tokenHash: secret.hash,
      tokenPrefix: secret.display,
      lastHeartbeatAt: now,
    },
  });
  const trainers = { "local-cpu": local.id, [TOUR_TRAINER]: tour.id };

  const ids: Partial<Record<RunStatus, string>> = {};
  for (const [index, spec] of TOUR_RUNS.entries()) {
    const dataset = datasets.find((d) => d.name === spec.dataset);
    if (!dataset) throw new Error(`The e2e seed has no dataset "${spec.dataset}".`);
    const terminal = spec.status !== "running" && spec.status !== "queued";
    // Terminal runs ended over the last hours; the live ones started a minute ago.
    const createdAt = new Date(now.getTime() - (terminal ? (TOUR_RUNS.length - index) * 3600_000 : 60_000 + index * 1000));
    let at = createdAt.getTime();
    const steps = spec.steps.map((s) => {
      const startedAt = new Date(at);
      const open = s.status === "running";
      at += s.seconds * 1000 + 150;
      return {
        name: s.name,
        status: s.status,
        startedAt,
        endedAt: open ? null : new Date(startedAt.getTime() + s.seconds * 1000),
        seconds: open ? null : s.seconds,
        error: s.error ?? null,
        bytes: s.name === "stage_in" ? dataset.bytes : null,
      };
    });
    const endedAt = terminal ? new Date(at) : null;
    const endToEndSeconds = endedAt ? (endedAt.getTime() - createdAt.getTime()) / 1000 : null;
    const stepsTotal = spec.steps.reduce((sum, s) => sum + s.seconds, 0);
    const run = await prisma.run.create({
      data: {
        experimentId: dataset.experiment.id,
        datasetId: dataset.id,
        familyId: families[spec.family]!,
        trainerId: trainers[spec.trainer]!,
        edgeHostId: edge.id,
        createdById: users[spec.by]!,
        reason: `Page tour: a ${spec.status} run`,
        params: { epochs: Math.max(spec.epochs, 6), batchSize: 256, learningRate: 0.001, seed: index, maxSamples: 2000 },
        idempotencyKey: `tour-${randomUUID()}`,
        status: spec.status,
        statusReason: spec.statusReason ?? null,
        predicted: spec.predicted ? prediction(spec.steps) : undefined,
        cancelRequestedAt: spec.status === "canceled" ? endedAt : null,
        createdAt,
        startedAt: spec.status === "queued" ? null : new Date(createdAt.getTime() + spec.steps[0]!.seconds * 1000),
        endedAt,
        endToEndSeconds,
        queueSeconds: spec.status === "queued" ? null : spec.steps[0]!.seconds,
        controlOverheadSeconds: endToEndSeconds === null ? null : Math.max(0, endToEndSeconds - stepsTotal),
        steps: { create: steps },
        metrics: {
          create: Array.from({ length: spec.epochs }, (_, i) => ({
            epoch: i + 1,
            loss: 0.05 / (i + 1),
            valLoss: 0.06 / (i + 1),
            metrics: spec.family === "braggnn" ? { mean: 0.9 / (i + 1), p95: 1.8 / (i + 1) } : {},
            seconds: 4 + i * 0.1,
            samplesPerSec: 900 + 10 * i,
            recordedAt: new Date(createdAt.getTime() + (i + 1) * 4000),
          })),
        },
        logs: {
          create: steps.map((s) => ({
            source: "dashboard",
            line: `${s.name}: ${s.status}${s.error ? ` (${s.error})` : ""}`,
            at: s.startedAt,
          })),
        },
      },
      include: { steps: true },
    });
    ids[spec.status] = run.id;

    const stageIn = steps.find((s) => s.name === "stage_in");
    const edgeAgent = edge.agents[0];
    const trainerAgent = spec.trainer === TOUR_TRAINER ? tourAgent : local.agents[0];
    if (stageIn && edgeAgent && trainerAgent) {
      await prisma.transfer.create({
        data: {
          runId: run.id,
          purpose: "dataset",
          sourceAgentId: edgeAgent.id,
          destAgentId: trainerAgent.id,
          sourcePath: dataset.path,
          bytes: dataset.bytes,
          sha256: dataset.sha256,
          tokenHash: newSecret("tour").hash,
          tokenExpiresAt: now,
          status: "succeeded",
          attempts: 1,
          seconds: stageIn.seconds,
          startupSeconds: 0.004,
          createdAt: stageIn.startedAt,
          completedAt: stageIn.endedAt,
        },
      });
    }
    // The running run's training task, leased for hours to the tour agent that never reports: it stays running.
    const training = run.steps.find((s) => s.name === "train" && s.status === "running");
    if (training) {
      await prisma.task.create({
        data: {
          agentId: tourAgent.id,
          runId: run.id,
          stepId: training.id,
          kind: "train",
          payload: {},
          status: "leased",
          leasedAt: training.startedAt,
          leaseExpiresAt: new Date(now.getTime() + 6 * 3600_000),
        },
      });
    }
  }
  return ids as Record<RunStatus, string>;
}
