// Issue 13.2/13.3 on the real stack (dashboard, worker, trainer and edge agents, PostgreSQL, PyTorch): a deployed
// model, new datasets registered on the edge host, and the edge agent running the spot checks it owes through the
// zoo and posting them; a drifted scan over the experiment's threshold gives "Retrain recommended" with a ranking of
// the earlier versions measured on it; non-members see none of it; the endpoint refuses another host and bad input.
import { execFileSync } from "node:child_process";
import path from "node:path";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack, waitFor } from "@/testing/stack";
import { HttpSession } from "@/testing/http";
import { launchInTest } from "@/testing/launch";
import { callServerAction, type ServerActionRef } from "@/testing/server-action";
import { initialActionState, type ActionState } from "@/lib/actions/action-state";
import { inspectDataset } from "@/agent/inspect";
import { newSecret } from "@/lib/flow/tokens";
import { FINE_TUNE_MARGIN } from "@/lib/drift/epochs";
import { spotCheckFraction } from "@/lib/drift/owed-checks";

const SET_POLICY: ServerActionRef = { file: "lib/actions/set-drift-policy.ts", exportedName: "setDriftPolicyAction" };
const ROOT = path.resolve(import.meta.dirname, "../..");
const SEED_DIR = process.env.TEST_SEED_DIR ?? path.join(ROOT, ".data/test-seed");

let stack: Stack;
let hedmId: string;
let edgeHostId: string;
let scientistId: string;
let v1: string;
let v2: string;
let run2Id: string;
const scans: Record<string, string> = {};

async function signedIn(email: string) {
  const session = new HttpSession(stack.url);
  expect(await session.signIn(email)).toBe(true);
  return session;
}

async function deployedVersion(runId: string) {
  const run = await stack.waitForRun(runId, ["succeeded", "failed", "lost", "canceled"], 240_000);
  expect(run.status, run.statusReason ?? "").toBe("succeeded");
  return (await stack.prisma.modelVersion.findUniqueOrThrow({ where: { runId } })).id;
}

/** Registers a file on the edge host as the dashboard does, with what the agent's inspect reports. */
async function register(name: string, file: string) {
  const info = await inspectDataset(file);
  const { samples, shape } = info as unknown as { samples: number; shape: number[] };
  const dataset = await stack.prisma.dataset.create({
    data: {
      experimentId: hedmId,
      edgeHostId,
      familyKey: "braggnn",
      name,
      path: file,
      bytes: BigInt(info.bytes),
      sha256: info.sha256,
      kind: "raw",
      sampleCount: samples,
      shapes: { sample: shape },
      registeredById: scientistId,
    },
  });
  return dataset.id;
}

const checkOf = (modelVersionId: string, datasetId: string) =>
  waitFor(
    `the edge's spot check of ${modelVersionId} on ${datasetId}`,
    () => stack.prisma.spotCheck.findUnique({ where: { modelVersionId_datasetId: { modelVersionId, datasetId } } }),
    180_000,
    500,
  );

function policyForm(threshold: number, fractionPercent: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ experimentId: hedmId, familyKey: "braggnn", threshold: String(threshold), fractionPercent }))
    form.set(k, v);
  return form;
}

/** Sets the policy as the experiment's PI does, through the server action, and checks it was stored. */
async function setPolicy(threshold: number, fractionPercent: string) {
  const pi = new HttpSession(stack.url);
  expect(await pi.signIn("pi@demo.test")).toBe(true);
  const answer = await callServerAction<ActionState>(pi, `/experiments/${hedmId}`, SET_POLICY, [
    initialActionState,
    policyForm(threshold, fractionPercent),
  ]);
  expect(answer.status).toBe(200);
  const policy = await stack.prisma.driftPolicy.findFirstOrThrow({ where: { experimentId: hedmId } });
  expect(policy).toMatchObject({ threshold, fraction: Number(fractionPercent) / 100 });
}

async function post(token: string, body: unknown) {
  const response = await fetch(`${stack.url}/api/agent/v1/spot-checks`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error?: string; created?: boolean } };
}

beforeAll(async () => {
  stack = await Stack.create({ name: "drift" });
  await stack.startWeb();
  stack.startWorker();
  stack.startAgent("trainer");
  stack.startAgent("edge", { AGENT_SPOT_CHECKS: "1" });
  await stack.waitForAgents(["local-trainer-agent", "edge-agent"]);
  const hedm = await stack.prisma.dataset.findFirstOrThrow({ where: { name: { startsWith: "scan-0042" } } });
  hedmId = hedm.experimentId;
  edgeHostId = hedm.edgeHostId;
  scientistId = (await stack.prisma.user.findUniqueOrThrow({ where: { email: "scientist@demo.test" } })).id;
  // A 3-scan drift series from the zoo's simulator: scan 0 like the seeded data, scan 2 with wider, moved peaks.
  const dir = path.join(stack.dataDir, "drift-series");
  execFileSync(
    "/usr/bin/python3",
    [
      "-m",
      "beamline_zoo",
      "simulate",
      "--family",
      "braggnn",
      "--drift-series",
      "3",
      "--samples",
      "400",
      "--frame-size",
      "160",
      "--seed",
      "7",
      "--out-dir",
      dir,
    ],
    { env: { ...process.env, PYTHONPATH: path.join(ROOT, "zoo") }, stdio: "pipe" },
  );
  for (const k of [0, 1, 2]) scans[k] = path.join(dir, `scan-00${k}.h5`);
}, 240_000);
afterAll(async () => stack?.stop());

describe("drift detection at the edge", () => {
  it("spot-checks a freshly deployed model on the newest data at once", async () => {
    // v1: a 1-epoch model; v2 fine-tuned from it, deployed in its place (v1's checkpoint stays on the edge).
    v1 = await deployedVersion((await launchInTest(stack, { epochs: 1, batchSize: 256, maxSamples: 1000 })).id);
    const run2 = await launchInTest(stack, { epochs: 8, batchSize: 64, maxSamples: 1500, parentVersionId: v1 });
    run2Id = run2.id;
    v2 = await deployedVersion(run2.id);

    // The newest braggnn dataset from before v2's deployment (the seeded scan-0043) is checked at once.
    const newestBefore = await stack.prisma.dataset.findFirstOrThrow({
      where: { experimentId: hedmId, familyKey: "braggnn" },
      orderBy: { createdAt: "desc" },
    });
    const first = await checkOf(v2, newestBefore.id);
    expect(first).toMatchObject({
      metric: "px",
      edgeHostId,
      experimentId: hedmId,
      fraction: spotCheckFraction(0.05, newestBefore.sampleCount),
    });
    expect(first.samples).toBeGreaterThan(0);
    expect(first.samples).toBeLessThanOrEqual(first.drawn);
    expect(first.p95Value).toBeGreaterThanOrEqual(first.meanValue);
  }, 600_000);

  it("only staff or the experiment's PI set the drift policy", async () => {
    const scientist = await signedIn("scientist@demo.test");
    const refused = await (
      await callServerAction<ActionState>(scientist, `/experiments/${hedmId}`, SET_POLICY, [initialActionState, policyForm(100, "10")])
    ).result();
    expect(refused).toMatchObject({ ok: false, message: "Only facility staff and the experiment's PI set its drift threshold." });
    const pi = await signedIn("pi@demo.test");
    const bad = await (
      await callServerAction<ActionState>(pi, `/experiments/${hedmId}`, SET_POLICY, [initialActionState, policyForm(100, "0")])
    ).result();
    expect(bad.fieldErrors).toEqual({ fractionPercent: ["Check more than 0 % of each dataset."] });
    expect(await stack.prisma.driftPolicy.count()).toBe(0);
    // 10 % of each dataset from now on; a threshold nothing crosses until the drift has been measured.
    await setPolicy(100, "10");
  });

  it("the edge sees a drifted scan; over the threshold it measures the earlier version on it, and a retrain is recommended", async () => {
    scans.d0 = await register("drift scan 0", scans[0]);
    scans.d1 = await register("drift scan 1", scans[1]);
    scans.d2 = await register("drift scan 2", scans[2]);
    const [clean, , drifted] = [await checkOf(v2, scans.d0), await checkOf(v2, scans.d1), await checkOf(v2, scans.d2)];
    // 10 % of 400 peaks is under the minimum a check draws: 200 of them
    for (const check of [clean, drifted]) expect(check).toMatchObject({ fraction: 0.5, drawn: 200 });
    expect(drifted.meanValue).toBeGreaterThan(clean.meanValue);
    expect(await stack.prisma.spotCheck.count({ where: { modelVersionId: v1, datasetId: { in: [scans.d0, scans.d1, scans.d2] } } })).toBe(
      0,
    );

    // The PI puts the threshold between the error on undrifted data and on the drifted scan.
    const threshold = Number(((clean.meanValue + drifted.meanValue) / 2).toPrecision(3));
    await setPolicy(threshold, "10");
    // Ranking evidence: v1's checkpoint (its past deployment) measured on the newest scan over the threshold only.
    const earlier = await checkOf(v1, scans.d2);
    expect(await stack.prisma.spotCheck.count({ where: { modelVersionId: v1, datasetId: { in: [scans.d0, scans.d1] } } })).toBe(0);
    const policy = await stack.prisma.driftPolicy.findFirstOrThrow({ where: { experimentId: hedmId } });

    process.env.DATABASE_URL = stack.databaseUrl;
    const { listDriftAlerts, loadReuse, loadDriftSeries } = await import("@/lib/server/drift/load-drift");
    const scientist = { id: scientistId, role: "scientist" as const };
    const alerts = await listDriftAlerts({ actor: scientist });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      experimentId: hedmId,
      unit: "px",
      recommendation: {
        versionId: v2,
        datasetId: scans.d2,
        datasetName: "drift scan 2",
        value: drifted.meanValue,
        threshold: policy.threshold,
      },
    });

    const reuse = await loadReuse({ actor: scientist, experimentId: hedmId, familyKeys: ["braggnn"] });
    const { rankParents } = await import("@/lib/drift/ranking");
    const errors = new Map(reuse.errors.filter((e) => e.datasetId === scans.d2).map((e) => [e.versionId, e.value]));
    const ranking = rankParents(
      reuse.candidates.filter((c) => c.familyKey === "braggnn"),
      errors,
    );
    const byError = [
      { id: v1, error: earlier.meanValue },
      { id: v2, error: drifted.meanValue },
    ].sort((a, b) => a.error - b.error);
    expect(ranking.map((r) => ({ id: r.id, error: r.error }))).toEqual(byError);
    // Epochs: learnt from the one past fine-tune (v2's run), the first epoch its validation error went under the threshold.
    const metrics = await stack.prisma.runMetric.findMany({ where: { runId: run2Id }, orderBy: { epoch: "asc" } });
    const reached = metrics.find((m) => (m.metrics as { mean: number }).mean < policy.threshold)?.epoch;
    expect(reached).toBeDefined();
    expect(reuse.epochs.braggnn).toMatchObject({ epochs: Math.ceil(FINE_TUNE_MARGIN * reached!), source: "fine-tunes" });

    // The figures, for the record of what this run measured.
    console.log(
      `[drift] v2 ${clean.meanValue.toFixed(3)} px on scan 0, ${drifted.meanValue.toFixed(3)} px on scan 2 (threshold ${threshold}); ` +
        `v1 ${earlier.meanValue.toFixed(3)} px on scan 2; predicted fine-tune ${reuse.epochs.braggnn.epochs} epochs (${reuse.epochs.braggnn.basis})`,
    );
    const series = await loadDriftSeries({ actor: scientist, experimentId: hedmId });
    const bragg = series!.families.find((f) => f.familyKey === "braggnn")!;
    // v1's check on scan 2 came after it was retired: ranking evidence, not a point of its time in service.
    expect(bragg.points.filter((p) => p.versionId === v2).map((p) => p.datasetName)).toEqual(
      expect.arrayContaining(["drift scan 0", "drift scan 1", "drift scan 2"]),
    );
    expect(bragg.points.some((p) => p.versionId === v1 && p.datasetName === "drift scan 2")).toBe(false);
    expect(bragg.marks.map((m) => m.versionId)).toEqual([v1, v2]);
  }, 600_000);

  it("shows the alert on the overview and the pre-filled Retrain on the experiment page, to members only", async () => {
    const scientist = await signedIn("scientist@demo.test");
    const overview = await (await scientist.fetch("/")).text();
    expect(overview).toContain("Retrain recommended");
    expect(overview).toContain(`/experiments/${hedmId}?retrain=${scans.d2}`);
    const page = await scientist.fetch(`/experiments/${hedmId}?retrain=${scans.d2}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Drift at the edge");
    expect(html).toContain('data-testid="threshold"');
    expect(html).toContain('data-testid="reuse-ranking"');
    expect(html).toMatch(/<option value="[^"]+" selected="">drift scan 2/);

    const outsider = await signedIn("outsider@demo.test");
    expect(await (await outsider.fetch("/")).text()).not.toContain("Retrain recommended");
    const hidden = await (await outsider.fetch(`/experiments/${hedmId}?retrain=${scans.d2}`)).text();
    expect(hidden).toContain("not found");
    expect(hidden).not.toContain("Drift at the edge");
    expect(hidden).not.toContain("drift scan 2");
    process.env.DATABASE_URL = stack.databaseUrl;
    const { listDriftAlerts, loadDriftSeries, loadReuse } = await import("@/lib/server/drift/load-drift");
    const outsiderActor = await stack.prisma.user.findUniqueOrThrow({
      where: { email: "outsider@demo.test" },
      select: { id: true, role: true },
    });
    expect(await listDriftAlerts({ actor: outsiderActor })).toEqual([]);
    expect(await loadDriftSeries({ actor: outsiderActor, experimentId: hedmId })).toBeNull();
    const reuse = await loadReuse({ actor: outsiderActor, experimentId: hedmId, familyKeys: ["braggnn"] });
    expect(reuse.errors).toEqual([]);
    expect(reuse.candidates.map((c) => c.id)).not.toContain(v2);
  });

  it("the endpoint stores a check once and refuses bad input, another host's agent and a trainer agent", async () => {
    const edgeToken = fs.readFileSync(path.join(SEED_DIR, "agents", "edge.token"), "utf8").trim();
    const stored = await stack.prisma.spotCheck.findUniqueOrThrow({
      where: { modelVersionId_datasetId: { modelVersionId: v2, datasetId: scans.d2 } },
    });
    const report = {
      modelVersionId: v2,
      datasetId: scans.d2,
      metric: "px",
      mean: 0.01,
      p95: 0.02,
      samples: 5,
      drawn: 5,
      fraction: 0.1,
      seconds: 1,
    };

    const again = await post(edgeToken, report);
    expect(again).toEqual({ status: 200, body: { id: stored.id, created: false } });
    expect((await stack.prisma.spotCheck.findUniqueOrThrow({ where: { id: stored.id } })).meanValue).toBe(stored.meanValue);

    expect(await post(edgeToken, { ...report, mean: -1 })).toMatchObject({
      status: 400,
      body: { error: "Invalid request: mean: mean must be a non-negative number" },
    });
    expect(await post(edgeToken, { ...report, metric: "mse" })).toMatchObject({
      status: 400,
      body: { error: "A braggnn spot check measures px, not mse." },
    });

    const other = await stack.prisma.edgeHost.create({ data: { name: "other-beamline", site: "elsewhere" } });
    const secret = newSecret("brt_");
    await stack.prisma.agent.create({
      data: { name: "other-edge", kind: "edge", edgeHostId: other.id, tokenHash: secret.hash, tokenPrefix: secret.display },
    });
    expect(await post(secret.token, report)).toMatchObject({
      status: 403,
      body: { error: `Dataset ${scans.d2} is not on this agent's edge host.` },
    });
    const theirs = await stack.prisma.dataset.create({
      data: {
        experimentId: hedmId,
        edgeHostId: other.id,
        familyKey: "braggnn",
        name: "elsewhere",
        path: scans[2],
        bytes: 1n,
        sha256: "0".repeat(64),
        kind: "raw",
        sampleCount: 400,
        shapes: {},
        registeredById: scientistId,
      },
    });
    expect(await post(secret.token, { ...report, datasetId: theirs.id })).toMatchObject({
      status: 403,
      body: { error: `Model version ${v2} was never deployed on this agent's edge host.` },
    });
    const trainerToken = fs.readFileSync(path.join(SEED_DIR, "agents", "trainer.token"), "utf8").trim();
    expect(await post(trainerToken, report)).toMatchObject({
      status: 403,
      body: { error: "Only an edge host's agent reports spot checks." },
    });
    expect(await stack.prisma.spotCheck.count({ where: { datasetId: theirs.id } })).toBe(0);
  });

  it("a long beamtime: with hundreds of scans checked, each heartbeat still owes exactly what a full reading would", async () => {
    const edgeAgent = await stack.prisma.agent.findFirstOrThrow({ where: { name: "edge-agent" } });
    const policy = await stack.prisma.driftPolicy.findFirstOrThrow({ where: { experimentId: hedmId } });
    // 300 scans after the drifted one, each already checked by v2 under the threshold (the agent owes none of them),
    // then one new scan whose file is gone (the agent's check of it fails, so it stays owed while this test reads).
    const base = Date.now();
    const many = Array.from({ length: 300 }, (_, i) => ({
      experimentId: hedmId,
      edgeHostId,
      familyKey: "braggnn",
      name: `long beamtime ${i}`,
      path: `/nonexistent/long-${i}.h5`,
      bytes: 1n,
      sha256: "0".repeat(64),
      kind: "raw" as const,
      sampleCount: 400,
      shapes: {},
      registeredById: scientistId,
      createdAt: new Date(base + i),
    }));
    await stack.prisma.dataset.createMany({ data: many });
    const created = await stack.prisma.dataset.findMany({ where: { name: { startsWith: "long beamtime " } }, select: { id: true } });
    await stack.prisma.spotCheck.createMany({
      data: created.map((d) => ({
        modelVersionId: v2,
        datasetId: d.id,
        edgeHostId,
        experimentId: hedmId,
        metric: "px",
        meanValue: policy.threshold / 2,
        p95Value: policy.threshold,
        samples: 200,
        drawn: 200,
        fraction: 0.5,
        seconds: 1,
      })),
    });
    const fresh = await stack.prisma.dataset.create({
      data: { ...many[0], name: "long beamtime new", path: "/nonexistent/new.h5", createdAt: new Date(base + 1000) },
    });

    process.env.DATABASE_URL = stack.databaseUrl;
    const { owedSpotChecksFor } = await import("@/lib/flow/agent-tasks/spot-checks");
    const { owedSpotChecks } = await import("@/lib/drift/owed-checks");
    const { resolvePolicy } = await import("@/lib/drift/policy");
    const owed = await owedSpotChecksFor({ id: edgeAgent.id, name: edgeAgent.name, kind: "edge", edgeHostId, trainerId: null });
    expect(owed.map((o) => [o.modelVersionId, o.datasetId, o.purpose])).toEqual([[v2, fresh.id, "monitor"]]);

    // The same decision from everything the host has: the bounded reading left out nothing that mattered.
    const [deployments, datasets, checks] = await Promise.all([
      stack.prisma.deployment.findMany({ where: { edgeHostId }, include: { family: true, modelVersion: true } }),
      stack.prisma.dataset.findMany({ where: { edgeHostId } }),
      stack.prisma.spotCheck.findMany({ where: { edgeHostId } }),
    ]);
    expect(datasets.length).toBeGreaterThan(300);
    const full = owedSpotChecks({
      deployments: deployments.map((d) => ({ ...d, familyKey: d.family.key, artifactSha256: d.modelVersion.artifactSha256 })),
      datasets,
      checks,
      policyOf: (experimentId, familyKey) =>
        resolvePolicy(familyKey, experimentId === hedmId && familyKey === "braggnn" ? policy : undefined),
    });
    expect(owed).toEqual(full);
  });
});
