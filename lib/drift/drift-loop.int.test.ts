// Issue 13, the loop closed on the real stack (dashboard, worker, trainer and edge agents, PostgreSQL, PyTorch,
// Chromium): the newcomer's seed puts a base BraggNN in service and a drifting scan series lands in the watched
// data root; the edge registers the scans, spot-checks them and the error crosses the threshold; a scientist
// clicks "Retrain" on the alert and "Launch" in the pre-filled dialog — nothing typed — and the run fine-tunes the
// recommended model on the drifted scan, the deploy gate puts it in service, and the edge's next spot check is
// back under the threshold.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { chromium, type Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack, waitFor } from "@/testing/stack";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "beamline-demo";
const SEED_DIR = process.env.TEST_SEED_DIR ?? path.join(ROOT, ".data/test-seed");

let stack: Stack;
let browser: Browser | undefined;

beforeAll(async () => {
  stack = await Stack.create({ name: "drift_loop" });
  await stack.startWeb();
  stack.startWorker();
  stack.startAgent("trainer");
  // The seed below writes the experiment's data root under this stack's data folder: the edge serves files from it.
  const edge = stack.agentWorkdir("edge");
  stack.startAgent("edge", {
    AGENT_SPOT_CHECKS: "1",
    AGENT_INTAKE_SCAN_MS: "500",
    AGENT_SERVE_ROOTS: `${edge}:${SEED_DIR}:${stack.dataDir}`,
  });
  await stack.waitForAgents(["local-trainer-agent", "edge-agent"]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The newcomer's seed with its drift demo, against this stack: a base v1 in service and the series in the root. */
function seedDriftDemo() {
  const done = spawnSync(process.execPath, ["--import", "tsx", "prisma/seed.ts"], {
    env: { ...stack.env(), BEAMLINE_DATA_DIR: stack.dataDir, SEED_SAMPLE_SCALE: "1", SEED_DRIFT_DEMO: "1" },
    encoding: "utf8",
    timeout: 300_000,
  });
  expect(done.status, done.stderr).toBe(0);
  expect(done.stdout).toMatch(/drift demo: BraggNN v1 trained .*deployed; 5 drifting scans written/);
}

async function alerts() {
  process.env.DATABASE_URL = stack.databaseUrl;
  const { listDriftAlerts } = await import("@/lib/server/drift/load-drift");
  const scientist = await stack.prisma.user.findUniqueOrThrow({
    where: { email: "scientist@demo.test" },
    select: { id: true, role: true },
  });
  return listDriftAlerts({ actor: scientist });
}

describe("the drift loop at the beamline", () => {
  it("ends a drifting series with a fine-tuned model in service and the monitored error back under the threshold", async () => {
    seedDriftDemo();
    const hedm = await stack.prisma.experiment.findFirstOrThrow({ where: { technique: "HEDM" } });
    const base = await stack.prisma.deployment.findFirstOrThrow({
      where: { experimentId: hedm.id, active: true },
      include: { modelVersion: true },
    });

    // The edge registers the scans by itself and checks each against the model in service.
    const scans = await waitFor(
      "the five scans registered by the edge",
      async () => {
        const found = await stack.prisma.dataset.findMany({
          where: { experimentId: hedm.id, dataRootId: { not: null }, name: { startsWith: "scan-00" } },
        });
        return found.length === 5 ? found : null;
      },
      60_000,
      500,
    );
    for (const scan of scans) expect(scan).toMatchObject({ familyKey: "braggnn", kind: "raw" });
    const alert = await waitFor(
      "retrain recommended",
      async () => (await alerts()).find((a) => a.experimentId === hedm.id) ?? null,
      240_000,
      1000,
    );
    const { recommendation } = alert;
    expect(recommendation.versionId).toBe(base.modelVersionId);
    expect(recommendation.value).toBeGreaterThan(recommendation.threshold);
    const checks = await stack.prisma.spotCheck.findMany({
      where: { modelVersionId: base.modelVersionId, datasetId: { in: scans.map((s) => s.id) } },
    });
    console.log(
      `[loop] v1 on the series: ${scans
        .map((s) => `${s.name} ${checks.find((c) => c.datasetId === s.id)?.meanValue.toFixed(3) ?? "-"}`)
        .join(", ")} px (threshold ${recommendation.threshold})`,
    );

    // The scientist's one click on the alert, and Launch in the dialog it opens, as it was filled in.
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
    const page = await browser.newPage({ baseURL: stack.url });
    await page.goto("/login");
    await page.getByLabel("E-mail").fill("scientist@demo.test");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await page
      .getByRole("link", { name: `Retrain on ${recommendation.datasetName}` })
      .first()
      .click();
    const dialog = page.getByRole("dialog", { name: "Retrain a model" });
    await dialog.getByRole("button", { name: "Launch retrain" }).click();
    await page.waitForURL(/\/runs\//, { timeout: 60_000 });
    const runId = page.url().split("/runs/")[1].split(/[?#]/)[0];

    const run = await stack.waitForRun(runId, ["succeeded", "failed", "lost", "canceled"], 600_000);
    expect(run.status, run.statusReason ?? "").toBe("succeeded");
    expect(run).toMatchObject({ datasetId: recommendation.datasetId, parentVersionId: base.modelVersionId });
    const steps = await stack.prisma.runStep.findMany({ where: { runId }, orderBy: { startedAt: "asc" } });
    expect(steps.map((s) => s.name)).toEqual(["queue", "stage_in", "label", "train", "stage_out", "deploy"]);

    // The gate compared it with v1 on the same held-out data and put it in service.
    const version = await stack.prisma.modelVersion.findUniqueOrThrow({
      where: { runId },
      include: { deployDecision: true, deployments: true },
    });
    expect(version.parentId).toBe(base.modelVersionId);
    expect(version.deployDecision, version.deployDecision?.reason).toMatchObject({ heldBack: false });
    expect(version.deployments.find((d) => d.active)).toBeDefined();

    // The edge checks the new model on the newest data at once: back under the threshold, and the alert is gone.
    const after = await waitFor(
      "the fine-tuned model's spot check on the drifted scan",
      () =>
        stack.prisma.spotCheck.findUnique({
          where: { modelVersionId_datasetId: { modelVersionId: version.id, datasetId: recommendation.datasetId } },
        }),
      180_000,
      1000,
    );
    console.log(
      `[loop] run params ${JSON.stringify(run.params)}; validation ${JSON.stringify(version.metrics)}; gate: ${version.deployDecision?.reason}; ` +
        `${recommendation.datasetName}: v1 ${recommendation.value.toFixed(3)} px → v${version.version} ${after.meanValue.toFixed(3)} px ` +
        `(p95 ${after.p95Value.toFixed(3)}, ${after.samples} of ${after.drawn} drawn)`,
    );
    expect(after.meanValue).toBeLessThan(recommendation.threshold);
    await waitFor("the alert to clear", async () => ((await alerts()).some((a) => a.experimentId === hedm.id) ? null : true), 60_000, 1000);
    await page.goto(`/experiments/${hedm.id}`);
    await page.getByRole("heading", { name: "Drift at the edge" }).waitFor();
    expect(await page.getByTestId("retrain-recommended").count()).toBe(0);
  }, 900_000);
});
