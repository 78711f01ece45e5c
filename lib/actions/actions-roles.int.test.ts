// Issue 10, "roles": launch, cancel, retry, restore and register called as a viewer and as a non-member
// through the real server actions (over HTTP, against the built dashboard, signed in with a real session),
// refused, and nothing changed in the database; then the same calls as a member scientist go through.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "@/testing/stack";
import { HttpSession } from "@/testing/http";
import { cancelInTest, launchInTest } from "@/testing/launch";
import { callServerAction, type ServerActionRef } from "@/testing/server-action";
import { initialActionState, type ActionState } from "@/lib/actions/action-state";

const LAUNCH: ServerActionRef = { file: "lib/actions/launch-run.ts", exportedName: "launchRunAction" };
const CANCEL: ServerActionRef = { file: "lib/actions/cancel-run.ts", exportedName: "cancelRunAction" };
const RETRY: ServerActionRef = { file: "lib/actions/retry-run.ts", exportedName: "retryRunAction" };
const RESTORE: ServerActionRef = { file: "lib/actions/restore-deployment.ts", exportedName: "restoreDeploymentAction" };
const REGISTER: ServerActionRef = { file: "lib/actions/register-dataset.ts", exportedName: "registerDatasetAction" };

let stack: Stack;
let hedmId: string;
let queuedRunId: string;
let canceledRunId: string;
let retiredDeploymentId: string;
let launchFields: Record<string, string>;
let pickedFileId: string;

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}

async function signedIn(email: string): Promise<HttpSession> {
  const session = new HttpSession(stack.url);
  expect(await session.signIn(email)).toBe(true);
  return session;
}

/** Each action as its page's client component calls it. */
function calls(session: HttpSession) {
  return {
    launch: () => callServerAction<ActionState>(session, `/experiments/${hedmId}`, LAUNCH, [initialActionState, form(launchFields)]),
    cancel: () => callServerAction<ActionState>(session, `/runs/${queuedRunId}`, CANCEL, [queuedRunId]),
    retry: () => callServerAction<ActionState>(session, `/runs/${canceledRunId}`, RETRY, [canceledRunId]),
    restore: () => callServerAction<ActionState>(session, "/models/braggnn", RESTORE, [retiredDeploymentId]),
    register: () => callServerAction<ActionState>(session, `/experiments/${hedmId}/data`, REGISTER, [pickedFileId]),
  };
}

/** What any of the five actions would change (sign-ins are audited too, so they are left out). */
async function databaseState() {
  const [runs, steps, datasets, deployments, audit] = await Promise.all([
    stack.prisma.run.findMany({ select: { id: true, status: true, cancelRequestedAt: true }, orderBy: { id: "asc" } }),
    stack.prisma.runStep.count(),
    stack.prisma.dataset.findMany({ select: { id: true }, orderBy: { id: "asc" } }),
    stack.prisma.deployment.findMany({ select: { id: true, active: true, deployedAt: true }, orderBy: { id: "asc" } }),
    stack.prisma.auditEvent.count({ where: { action: { not: "user.sign-in" } } }),
  ]);
  return { runs, steps, datasets, deployments, audit };
}

beforeAll(async () => {
  stack = await Stack.create({ name: "actions_roles" });
  process.env.DATABASE_URL = stack.databaseUrl;
  await stack.startWeb();
  const dataset = await stack.prisma.dataset.findFirstOrThrow({ where: { name: { startsWith: "scan-0042" } } });
  hedmId = dataset.experimentId;
  const trainer = await stack.prisma.trainer.findUniqueOrThrow({ where: { name: "local-cpu" } });
  // No agent runs here, and the trainer takes no run (concurrency 0): a launched run waits in its queue
  // (cancellable), and a canceled one can be retried.
  await stack.prisma.trainer.update({ where: { id: trainer.id }, data: { concurrency: 0 } });
  queuedRunId = (await launchInTest(stack)).id;
  canceledRunId = (await launchInTest(stack)).id;
  await cancelInTest(stack, canceledRunId);
  await stack.waitForRun(canceledRunId, ["canceled"], 30_000);

  // Two versions of BraggNN trained in the HEDM experiment, the older one's deployment retired.
  const family = await stack.prisma.modelFamily.findUniqueOrThrow({ where: { key: "braggnn" } });
  const version = (n: number) =>
    stack.prisma.modelVersion.create({
      data: {
        familyId: family.id,
        version: n,
        experimentId: hedmId,
        datasetId: dataset.id,
        metrics: { mean: 0.2 },
        artifactFormat: "torchscript",
        artifactBytes: 1024n,
        artifactSha256: "0".repeat(64),
        aliases: [],
      },
    });
  const [older, newer] = [await version(101), await version(102)];
  const deployment = (modelVersionId: string, active: boolean) =>
    stack.prisma.deployment.create({
      data: {
        modelVersionId,
        familyId: older.familyId,
        experimentId: dataset.experimentId,
        edgeHostId: dataset.edgeHostId,
        path: `/edge/models/${modelVersionId}.pt`,
        active,
        validation: { ok: true },
      },
    });
  retiredDeploymentId = (await deployment(older.id, false)).id;
  await deployment(newer.id, true);

  launchFields = {
    experimentId: hedmId,
    datasetId: dataset.id,
    trainerId: trainer.id,
    parentVersionId: "",
    epochs: "2",
    batchSize: "256",
    learningRate: "0.001",
    seed: "1",
    maxSamples: "500",
    reason: "roles test",
    idempotencyKey: randomUUID(),
  };
  // Registration picks a file the edge agent found in one of the experiment's data roots and the zoo read
  // (issue 13 #1): here one it reported (edge intake's own test runs the agent) that is no dataset.
  const root = await stack.prisma.dataRoot.findFirstOrThrow({ where: { edgeHostId: dataset.edgeHostId, experimentId: hedmId } });
  const picked = await stack.prisma.dataRootFile.create({
    data: {
      dataRootId: root.id,
      path: `${root.path}/scan-0099.h5`,
      bytes: 4096n,
      sha256: "a".repeat(64),
      familyKey: "braggnn",
      kind: "raw",
      sampleCount: 10,
      shapes: { sample: [10, 11, 11], layout: "frames+peaks" },
    },
  });
  pickedFileId = picked.id;
});
afterAll(async () => stack?.stop());

describe.each([
  { who: "a viewer in the experiment", email: "viewer@demo.test", refusal: "Your role (viewer) does not allow this." },
  { who: "a scientist who is not a member", email: "outsider@demo.test", refusal: "No such experiment." },
])("as $who, through the real server actions", ({ email, refusal }) => {
  let session: HttpSession;
  beforeAll(async () => {
    session = await signedIn(email);
  });

  it.each(["launch", "cancel", "retry", "restore", "register"] as const)("%s is refused and changes nothing", async (name) => {
    const before = await databaseState();
    const answer = await calls(session)[name]();
    expect(answer.status).toBe(200);
    expect(answer.redirect).toBeNull();
    expect(await answer.result()).toMatchObject({ ok: false, message: refusal });
    expect(await databaseState()).toEqual(before);
  });
});

describe("as a member scientist, the same calls go through (the refusals above are the roles, not the transport)", () => {
  let session: HttpSession;
  beforeAll(async () => {
    session = await signedIn("scientist@demo.test");
  });

  it("registers the picked file as a dataset, named after its path in the root", async () => {
    // (A success re-renders the page into the answer, which this client cannot decode: the database tells.)
    expect((await calls(session).register()).status).toBe(200);
    const dataset = await stack.prisma.dataset.findUniqueOrThrow({
      where: { experimentId_name: { experimentId: hedmId, name: "scan-0099" } },
    });
    expect(dataset).toMatchObject({ sha256: "a".repeat(64), bytes: 4096n, sampleCount: 10, kind: "raw", familyKey: "braggnn" });
    expect((await stack.prisma.dataRootFile.findUniqueOrThrow({ where: { id: pickedFileId } })).datasetId).toBe(dataset.id);
    // Twice is refused: the file already is that dataset.
    expect(await (await calls(session).register()).result()).toMatchObject({
      ok: false,
      message: "This file is already the dataset “scan-0099”.",
    });
  });

  it("launches the run and is sent to its page", async () => {
    const answer = await calls(session).launch();
    const run = await stack.prisma.run.findFirstOrThrow({ where: { idempotencyKey: launchFields.idempotencyKey } });
    expect(answer.redirect).toContain(`/runs/${run.id}`);
  });

  it("cancels the queued run", async () => {
    expect(await (await calls(session).cancel()).result()).toMatchObject({ ok: true });
    expect((await stack.prisma.run.findUniqueOrThrow({ where: { id: queuedRunId } })).cancelRequestedAt).not.toBeNull();
  });

  it("retries the canceled run", async () => {
    expect(await (await calls(session).retry()).result()).toMatchObject({ ok: true });
    expect((await stack.prisma.run.findUniqueOrThrow({ where: { id: canceledRunId } })).status).not.toBe("canceled");
  });

  it("restores the retired deployment", async () => {
    expect((await calls(session).restore()).status).toBe(200);
    expect((await stack.prisma.deployment.findUniqueOrThrow({ where: { id: retiredDeploymentId } })).active).toBe(true);
  });
});
