// The retrain run on the real stack: dashboard, worker, trainer and edge agents, PostgreSQL, PyTorch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "@/testing/stack";
import { launchInTest } from "@/testing/launch";

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.create({ name: "retrain_run" });
  await stack.startAll();
});
afterAll(async () => stack?.stop());

describe("a retrain run", () => {
  it("moves the dataset, trains, moves the model back, deploys it and records every step", async () => {
    const run = await launchInTest(stack, { epochs: 2, maxSamples: 1500 });
    const done = await stack.waitForRun(run.id, ["succeeded", "failed", "lost", "canceled"]);
    expect(done.status, done.statusReason ?? "").toBe("succeeded");

    const steps = await stack.prisma.runStep.findMany({ where: { runId: run.id }, orderBy: { startedAt: "asc" } });
    expect(steps.map((s) => [s.name, s.status, s.attempt])).toEqual([
      ["queue", "succeeded", 1],
      ["stage_in", "succeeded", 1],
      ["train", "succeeded", 1],
      ["stage_out", "succeeded", 1],
      ["deploy", "succeeded", 1],
    ]);
    for (const s of steps) expect(s.seconds).toBeGreaterThanOrEqual(0);
    expect(done.endToEndSeconds).toBeGreaterThan(0);
    expect(done.controlOverheadSeconds).toBeGreaterThanOrEqual(0);

    const metrics = await stack.prisma.runMetric.findMany({ where: { runId: run.id }, orderBy: { epoch: "asc" } });
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    expect(Object.keys(metrics[0].metrics as object)).toEqual(expect.arrayContaining(["mean", "p50", "p75", "p95", "p99_5"]));

    const transfers = await stack.prisma.transfer.findMany({ where: { runId: run.id } });
    expect(transfers.map((t) => [t.purpose, t.status])).toEqual(
      expect.arrayContaining([
        ["dataset", "succeeded"],
        ["model", "succeeded"],
      ]),
    );
    for (const t of transfers) expect(t.seconds).toBeGreaterThan(0);
    // Each source served on the dashboard's seal (its answer alongside), not after asking first.
    const dataset = transfers.find((t) => t.purpose === "dataset")!;
    const model = transfers.find((t) => t.purpose === "model")!;
    expect(stack.output("agent-edge")).toContain(`served transfer ${dataset.id}: ${dataset.bytes} bytes`);
    expect(stack.output("agent-edge")).toMatch(new RegExp(`served transfer ${dataset.id}: .* \\(sealed grant\\)`));
    expect(stack.output("agent-trainer")).toMatch(new RegExp(`served transfer ${model.id}: .* \\(sealed grant\\)`));

    const version = await stack.prisma.modelVersion.findUnique({ where: { runId: run.id }, include: { deployments: true } });
    expect(version?.datasetId).toBe(run.datasetId);
    expect(version?.deployments).toHaveLength(1);
    expect(version?.deployments[0].active).toBe(true);
    const trained = await stack.prisma.task.findFirst({ where: { runId: run.id, kind: "train" } });
    expect(version?.artifactSha256).toBe((trained?.result as { artifact: { sha256: string } }).artifact.sha256);
    expect(await stack.prisma.measurement.count({ where: { runId: run.id, kind: "inference" } })).toBe(1);
  });

  it("makes one run from the same launch sent twice at once", async () => {
    const key = `double-click-${Date.now()}`;
    const [a, b] = await Promise.all([
      launchInTest(stack, { epochs: 1, maxSamples: 500, idempotencyKey: key }),
      launchInTest(stack, { epochs: 1, maxSamples: 500, idempotencyKey: key }),
    ]);
    expect(a.id).toBe(b.id);
    expect(await stack.prisma.run.count({ where: { idempotencyKey: key } })).toBe(1);
    const done = await stack.waitForRun(a.id, ["succeeded", "failed", "lost"]);
    expect(done.status).toBe("succeeded");
    expect(await stack.prisma.runStep.count({ where: { runId: a.id, name: "train" } })).toBe(1);
  });

  it("labels raw data at the data center, brings the labels back and validates the model on them", async () => {
    const run = await launchInTest(stack, { dataset: "scan-0043", epochs: 2, maxSamples: null });
    const done = await stack.waitForRun(run.id, ["succeeded", "failed", "lost", "canceled"]);
    expect(done.status, done.statusReason ?? "").toBe("succeeded");
    const steps = await stack.prisma.runStep.findMany({ where: { runId: run.id }, orderBy: { startedAt: "asc" } });
    expect(steps.map((s) => s.name)).toEqual(["queue", "stage_in", "label", "train", "stage_out", "deploy"]);
    const transfers = await stack.prisma.transfer.findMany({ where: { runId: run.id }, orderBy: { createdAt: "asc" } });
    expect(transfers.map((t) => t.purpose)).toEqual(["dataset", "model", "labels"]);
    const labelling = await stack.prisma.measurement.findFirst({ where: { runId: run.id, kind: "labelling" } });
    expect(labelling?.secondsPerDatum).toBeGreaterThan(0);
    const version = await stack.prisma.modelVersion.findUnique({ where: { runId: run.id } });
    expect((version?.metrics as Record<string, number>).mean).toBeGreaterThan(0);
  });
});
