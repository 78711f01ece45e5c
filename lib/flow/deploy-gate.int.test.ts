// Issue 13 #4 on the real stack (dashboard, worker, trainer and edge agents, PostgreSQL, PyTorch): a good
// model deploys; a worse one (1 epoch on 200 samples) is registered, evaluated against the model in service
// on the same held-out samples and held back, both figures stored and shown; "Deploy anyway" through the
// real server action is refused to a viewer and a non-member, puts it in service for a member scientist,
// answers a second click as done, and refuses a held-back version whose comparison went stale.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "@/testing/stack";
import { HttpSession } from "@/testing/http";
import { launchInTest } from "@/testing/launch";
import { callServerAction, type ServerActionRef } from "@/testing/server-action";
import type { ActionState } from "@/lib/actions/action-state";

const DEPLOY_ANYWAY: ServerActionRef = { file: "lib/actions/deploy-anyway.ts", exportedName: "deployAnywayAction" };
const TERMINAL = ["succeeded", "failed", "lost", "canceled"];
// Well trained against barely trained, on the same seeded scan (seed 1 both times).
const GOOD = { epochs: 8, batchSize: 32, learningRate: 0.003, maxSamples: 2000 };
const WORSE = { epochs: 1, batchSize: 256, maxSamples: 200 };

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.create({ name: "deploy_gate" });
  await stack.startAll();
});
afterAll(async () => stack?.stop());

async function succeededRun(options: Parameters<typeof launchInTest>[1]) {
  const run = await launchInTest(stack, options);
  const done = await stack.waitForRun(run.id, TERMINAL);
  expect(done.status, done.statusReason ?? "").toBe("succeeded");
  const version = await stack.prisma.modelVersion.findUniqueOrThrow({
    where: { runId: run.id },
    include: { deployDecision: true, deployments: true },
  });
  const deploy = await stack.prisma.runStep.findFirstOrThrow({ where: { runId: run.id, name: "deploy" } });
  return { run, version, decision: version.deployDecision!, gate: (deploy.detail as { gate: Record<string, unknown> }).gate };
}

async function signedIn(email: string) {
  const session = new HttpSession(stack.url);
  expect(await session.signIn(email)).toBe(true);
  return session;
}

const deployAnyway = async (session: HttpSession, runId: string, versionId: string) =>
  (await callServerAction<ActionState>(session, `/runs/${runId}`, DEPLOY_ANYWAY, [versionId])).result();

const activeVersions = async (familyId: string) =>
  (await stack.prisma.deployment.findMany({ where: { familyId, active: true }, select: { modelVersionId: true } })).map(
    (d) => d.modelVersionId,
  );

describe("deploy never puts a worse model in service without consent", () => {
  let good: Awaited<ReturnType<typeof succeededRun>>;
  let worse: Awaited<ReturnType<typeof succeededRun>>;

  it("deploys the first model: nothing was in service", async () => {
    good = await succeededRun(GOOD);
    expect(good.decision).toMatchObject({ heldBack: false, inServiceVersion: null, inServiceValue: null, metric: "mean" });
    expect(good.decision.newValue).toBeGreaterThan(0);
    expect(good.version.deployments.map((d) => d.active)).toEqual([true]);
    expect(good.gate).toMatchObject({ heldBack: false });
  });

  it("registers a worse model with its lineage and both figures, and holds it back", async () => {
    worse = await succeededRun(WORSE);
    const { decision, version } = worse;
    expect(version.runId).toBe(worse.run.id);
    expect(version.datasetId).toBe(worse.run.datasetId);
    expect((version.metrics as Record<string, number>).mean).toBe(decision.newValue);
    expect(decision).toMatchObject({ heldBack: true, metric: "mean", inServiceVersion: good.version.version });
    expect(decision.inServiceDeploymentId).toBe(good.version.deployments[0].id);
    // The edge scored the model in service on exactly the samples it scored it on when it deployed it.
    expect(decision.inServiceValue).toBeCloseTo(good.decision.newValue!, 6);
    expect(decision.newValue!).toBeGreaterThan(decision.inServiceValue! * 1.01);
    const figures = `new ${decision.newValue!.toFixed(3)} px vs in service v${good.version.version} ${decision.inServiceValue!.toFixed(3)} px`;
    expect(decision.reason).toBe(`held back: ${figures}`);
    const deploySeconds = async (runId: string) =>
      (await stack.prisma.runStep.findFirstOrThrow({ where: { runId, name: "deploy" } })).seconds!.toFixed(1);
    console.info(
      `[deploy gate] run ${worse.run.number}: ${decision.reason}; deploy step ${await deploySeconds(good.run.id)} s alone, ` +
        `${await deploySeconds(worse.run.id)} s with the model in service evaluated too`,
    );
    expect(worse.gate).toMatchObject({ heldBack: true, reason: decision.reason });
    // Its checkpoint was verified on the edge and kept there; the old deployment is still the active one.
    expect(decision.sha256).toBe(version.artifactSha256);
    expect(decision.path).toContain(worse.run.id);
    expect(version.deployments).toEqual([]);
    expect(await activeVersions(version.familyId)).toEqual([good.version.id]);
    const audit = await stack.prisma.auditEvent.findFirst({ where: { action: "model.held_back", targetId: version.id } });
    expect(audit?.detail).toMatchObject({ reason: decision.reason });
  });

  it("says so on the run, model and experiment pages, with Deploy anyway only for those who may launch", async () => {
    const scientist = await signedIn("scientist@demo.test");
    const runPage = await (await scientist.fetch(`/runs/${worse.run.id}`)).text();
    expect(runPage).toContain("held back: new ");
    expect(runPage).toContain("Deploy anyway");
    expect(await (await scientist.fetch("/models/braggnn")).text()).toContain("held back");
    const experimentPage = await (await scientist.fetch(`/experiments/${worse.run.experimentId}`)).text();
    expect(experimentPage).toContain(worse.decision.reason);
    const viewerPage = await (await (await signedIn("viewer@demo.test")).fetch(`/runs/${worse.run.id}`)).text();
    expect(viewerPage).toContain("held back: new ");
    expect(viewerPage).not.toContain("Deploy anyway");
  });

  it.each([
    { who: "a viewer in the experiment", email: "viewer@demo.test", refusal: "Your role (viewer) does not allow this." },
    { who: "a scientist who is not a member", email: "outsider@demo.test", refusal: "No such experiment." },
  ])("refuses Deploy anyway to $who and changes nothing", async ({ email, refusal }) => {
    const session = await signedIn(email);
    expect(await deployAnyway(session, worse.run.id, worse.version.id)).toMatchObject({ ok: false, message: refusal });
    expect(await activeVersions(worse.version.familyId)).toEqual([good.version.id]);
    expect(await stack.prisma.auditEvent.count({ where: { action: "model.deploy_anyway" } })).toBe(0);
  });

  it("puts the held-back version in service for a member scientist, from the file the edge verified, once", async () => {
    const session = await signedIn("scientist@demo.test");
    // The answer carries the re-rendered page (the action revalidates the model pages): read its effect instead.
    const answer = await callServerAction<ActionState>(session, `/runs/${worse.run.id}`, DEPLOY_ANYWAY, [worse.version.id]);
    expect(answer.status).toBe(200);
    expect(await activeVersions(worse.version.familyId)).toEqual([worse.version.id]);
    const deployment = await stack.prisma.deployment.findFirstOrThrow({ where: { modelVersionId: worse.version.id } });
    expect(deployment.path).toBe(worse.decision.path);
    expect(deployment.edgeHostId).toBe(worse.decision.edgeHostId);
    const retired = await stack.prisma.deployment.findUniqueOrThrow({ where: { id: good.version.deployments[0].id } });
    expect(retired.active).toBe(false);
    const audit = await stack.prisma.auditEvent.findFirstOrThrow({ where: { action: "model.deploy_anyway", targetId: worse.version.id } });
    expect(audit.detail).toMatchObject({ replacedVersion: good.version.version, newValue: worse.decision.newValue });

    // A second click (or a second tab) changes nothing and says it is done.
    process.env.DATABASE_URL = stack.databaseUrl;
    const { deployAnyway: deployAgain } = await import("@/lib/server/models/deploy-anyway");
    const scientist = await stack.prisma.user.findUniqueOrThrow({ where: { email: "scientist@demo.test" } });
    expect((await deployAgain({ actorId: scientist.id, modelVersionId: worse.version.id })).message).toMatch(/already in service/);
    expect((await callServerAction(session, `/runs/${worse.run.id}`, DEPLOY_ANYWAY, [worse.version.id])).status).toBe(200);
    expect(await stack.prisma.deployment.count({ where: { modelVersionId: worse.version.id } })).toBe(1);
    expect(await stack.prisma.auditEvent.count({ where: { action: "model.deploy_anyway" } })).toBe(1);
  });

  it("refuses a held-back version once another deployment went into service after it was held back", async () => {
    // Put the good model back, hold a worse one back against it, then let a restore change what is in service.
    process.env.DATABASE_URL = stack.databaseUrl;
    const { restoreDeployment } = await import("@/lib/server/models/restore-deployment");
    const pi = await stack.prisma.user.findUniqueOrThrow({ where: { email: "pi@demo.test" } });
    await restoreDeployment({ actorId: pi.id, deploymentId: good.version.deployments[0].id });
    const stale = await succeededRun(WORSE);
    expect(stale.decision).toMatchObject({ heldBack: true, inServiceVersion: good.version.version });
    const worseDeployment = await stack.prisma.deployment.findFirstOrThrow({ where: { modelVersionId: worse.version.id } });
    await restoreDeployment({ actorId: pi.id, deploymentId: worseDeployment.id });

    const session = await signedIn("scientist@demo.test");
    const answer = await deployAnyway(session, stale.run.id, stale.version.id);
    expect(answer).toMatchObject({ ok: false, message: expect.stringMatching(/went into service .* after v\d+ was held back/) });
    expect(await activeVersions(stale.version.familyId)).toEqual([worse.version.id]);
    // Its run page no longer offers the button, and says why.
    const runPage = await (await session.fetch(`/runs/${stale.run.id}`)).text();
    expect(runPage).toContain("no longer the model in service");
    expect(runPage).not.toContain("Deploy anyway");
    // A version that was never held back (deployed by its run) has nothing to deploy anyway.
    expect(await deployAnyway(session, good.run.id, good.version.id)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/was not held back/),
    });
  });

  it("deploys when the model in service cannot be evaluated (its file altered on the edge), and says why", async () => {
    const inService = await stack.prisma.deployment.findFirstOrThrow({ where: { modelVersionId: worse.version.id, active: true } });
    const { appendFile } = await import("node:fs/promises");
    await appendFile(inService.path, "tampered");
    const next = await succeededRun(WORSE);
    expect(next.decision).toMatchObject({ heldBack: false, inServiceVersion: worse.version.version });
    expect(next.decision.reason).toMatch(/could not be evaluated on the edge \(its checkpoint's sha256 [0-9a-f]{64} is not the recorded/);
    expect(await activeVersions(next.version.familyId)).toEqual([next.version.id]);
  });
});
