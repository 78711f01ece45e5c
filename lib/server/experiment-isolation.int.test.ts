// Isolation between experiments (issue 10: #1 data roots and their files (issue 13), #3 parent models, #4 model pages, #5 restores),
// over HTTP against the real dashboard and through the data layer the server actions call, on a real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "@/testing/stack";
import { HttpSession } from "@/testing/http";
import { launchInTest } from "@/testing/launch";
import type { Experiment, ModelVersion } from "@/lib/generated/prisma/client";

let stack: Stack;
let hedm: Experiment;
let other: Experiment; // a second HEDM experiment on the same edge host, of which the demo scientist is not a member
let edgeHostId: string;
let braggnnId: string;
let nextVersion = 1;

const sessions: Record<string, HttpSession> = {};
async function as(who: "scientist" | "outsider" | "staff"): Promise<HttpSession> {
  if (!sessions[who]) {
    sessions[who] = new HttpSession(stack.url);
    expect(await sessions[who].signIn(`${who}@demo.test`)).toBe(true);
  }
  return sessions[who];
}
const page = async (who: "scientist" | "outsider" | "staff", url: string) =>
  (await (await (await as(who)).fetch(url)).text()).replaceAll("<!-- -->", "");
const user = (email: string) => stack.prisma.user.findUniqueOrThrow({ where: { email } });

beforeAll(async () => {
  stack = await Stack.create({ name: "isolation" });
  process.env.DATABASE_URL = stack.databaseUrl;
  await stack.startWeb();
  hedm = await stack.prisma.experiment.findFirstOrThrow({ where: { technique: "HEDM" } });
  other = await experiment("Other group's HEDM", "outsider@demo.test");
  edgeHostId = (await stack.prisma.edgeHost.findFirstOrThrow()).id;
  braggnnId = (await stack.prisma.modelFamily.findUniqueOrThrow({ where: { key: "braggnn" } })).id;
});
afterAll(async () => stack?.stop());

/** An experiment of its own, with `piEmail` its PI and only member. */
async function experiment(name: string, piEmail: string) {
  const pi = await user(piEmail);
  return stack.prisma.experiment.create({
    data: {
      name,
      beamline: "APS 1-ID-E",
      technique: "HEDM",
      piId: pi.id,
      beamtimeStart: new Date("2026-12-10T08:00:00Z"),
      beamtimeEnd: new Date("2026-12-12T08:00:00Z"),
      members: { create: [{ userId: pi.id }] },
    },
  });
}

function sha(seed: string) {
  return seed.repeat(64).slice(0, 64);
}

async function version(experimentId: string, artifactSha256: string) {
  return stack.prisma.modelVersion.create({
    data: {
      familyId: braggnnId,
      version: 100 + nextVersion++,
      experimentId,
      metrics: { mean: 0.1 },
      artifactFormat: "pytorch-checkpoint",
      artifactBytes: 1000n,
      artifactSha256,
      aliases: [],
    },
  });
}

async function deployment(v: ModelVersion, active: boolean) {
  return stack.prisma.deployment.create({
    data: {
      modelVersionId: v.id,
      edgeHostId,
      familyId: v.familyId,
      experimentId: v.experimentId,
      path: `/edge/models/${v.artifactSha256}.pt`,
      active,
      retiredAt: active ? null : new Date(),
      validation: {},
    },
  });
}

describe("#1 datasets come from the experiment's data roots", () => {
  /** A file as the edge agent reports it (edge intake's own test runs the real agent): the zoo read it. */
  const reported = (dataRootId: string, filePath: string, extra: Record<string, unknown> = {}) =>
    stack.prisma.dataRootFile.create({
      data: {
        dataRootId,
        path: filePath,
        bytes: 1024n,
        sha256: sha("ab"),
        familyKey: "braggnn",
        kind: "simulated",
        sampleCount: 64,
        shapes: { sample: [64, 11, 11] },
        ...extra,
      },
    });

  it("#1 a picked file must be one the zoo read and not a dataset already; it is named after its path in the root", async () => {
    const { registerDatasetFromFile } = await import("@/lib/server/datasets/register-dataset");
    const scientist = await user("scientist@demo.test");
    const root = await stack.prisma.dataRoot.findFirstOrThrow({ where: { experimentId: hedm.id } });

    const unreadable = await reported(root.id, `${root.path}/notes.h5`, {
      familyKey: null,
      kind: null,
      sampleCount: null,
      problem: "Not a dataset the zoo can read: not a readable HDF5 file",
    });
    await expect(registerDatasetFromFile({ actorId: scientist.id, fileId: unreadable.id })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: "The zoo could not read this file as a dataset: Not a dataset the zoo can read: not a readable HDF5 file",
    });
    // The seeded dataset's own file, as the agent saw it: it already is that dataset.
    const seeded = await stack.prisma.dataset.findFirstOrThrow({ where: { experimentId: hedm.id } });
    const same = await reported(root.id, seeded.path, { sha256: seeded.sha256 });
    await expect(registerDatasetFromFile({ actorId: scientist.id, fileId: same.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: `This file is already the dataset “${seeded.name}”.`,
    });

    const made = await registerDatasetFromFile({
      actorId: scientist.id,
      fileId: (await reported(root.id, `${root.path}/day 2/scan-0044.h5`)).id,
    });
    const dataset = await stack.prisma.dataset.findUniqueOrThrow({ where: { id: made.id } });
    expect(dataset).toMatchObject({
      name: "day 2/scan-0044",
      dataRootId: root.id,
      registeredById: scientist.id,
      path: `${root.path}/day 2/scan-0044.h5`,
    });
  });

  it("#1 staff declare and remove roots on the edge hosts page; only the experiment's members browse a root's files", async () => {
    const { addDataRoot, removeDataRoot } = await import("@/lib/server/data-roots/manage-data-roots");
    const staff = await user("staff@demo.test");

    const root = await addDataRoot({ actorId: staff.id, input: { edgeHostId, experimentId: other.id, path: "/data/other-hedm" } });
    await expect(
      addDataRoot({ actorId: staff.id, input: { edgeHostId, experimentId: other.id, path: "/data/other-hedm" } }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await reported(root.id, "/data/other-hedm/run-1.h5");
    await reported(root.id, "/data/other-hedm/run-1.log", {
      sha256: null,
      familyKey: null,
      kind: null,
      sampleCount: null,
      problem: "Not an HDF5 file name",
    });

    const staffPage = await page("staff", "/edge-hosts");
    expect(staffPage).toContain("/data/other-hedm");
    expect(staffPage).toContain("Other group&#x27;s HEDM");
    expect(staffPage).toContain("Add data root");
    expect(await page("scientist", "/edge-hosts")).toContain("Only facility staff");

    const outsiderView = await page("outsider", `/experiments/${other.id}/data`);
    expect(outsiderView).toContain("/data/other-hedm");
    expect(outsiderView).toContain("run-1.h5");
    expect(outsiderView).toContain("Not a dataset: Not an HDF5 file name");
    expect(outsiderView).toContain("Register run-1.h5 as a dataset");
    // The demo scientist is not in that experiment: not found, and nothing of its files.
    const scientistView = await page("scientist", `/experiments/${other.id}/data`);
    expect(scientistView).toContain("not found");
    expect(scientistView).not.toContain("run-1");
    expect(scientistView).not.toContain("/data/other-hedm");

    await removeDataRoot({ actorId: staff.id, dataRootId: root.id });
    expect(await stack.prisma.dataRootFile.count({ where: { dataRootId: root.id } })).toBe(0);
    const audit = await stack.prisma.auditEvent.findMany({ where: { targetId: root.id }, select: { action: true } });
    expect(audit.map((a) => a.action).sort()).toEqual(["data-root.add", "data-root.remove"]);
  });
});

describe("#3 fine-tuning starts only from a model the launcher may see", () => {
  it("#3 refuses a parent version from an experiment the scientist is not in, accepts one from theirs", async () => {
    const foreign = await version(other.id, sha("c3"));
    const own = await version(hedm.id, sha("d3"));
    await expect(launchInTest(stack, { parentVersionId: foreign.id })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      fieldErrors: { parentVersionId: [expect.stringContaining("from your experiments")] },
    });
    const run = await launchInTest(stack, { parentVersionId: own.id });
    expect(run.parentVersionId).toBe(own.id);
  });

  it("#3 the Retrain dialog lists only deployed versions of the user's experiments (staff: all)", async () => {
    const foreign = await version(other.id, sha("e3"));
    const own = await version(hedm.id, sha("f3"));
    await deployment(foreign, true);
    await deployment(own, true);
    const scientistView = await page("scientist", `/experiments/${hedm.id}`);
    expect(scientistView).toContain(own.id);
    expect(scientistView).not.toContain(foreign.id);
    const staffView = await page("staff", `/experiments/${hedm.id}`);
    expect(staffView).toContain(own.id);
    expect(staffView).toContain(foreign.id);
  });
});

describe("#4 model pages show only the user's experiments", () => {
  it("#4 /models/braggnn and /models list versions, checksums and counts by membership", async () => {
    const mine = await version(hedm.id, sha("a4"));
    const theirs = await version(other.id, sha("b4"));
    const scientistView = await page("scientist", "/models/braggnn");
    expect(scientistView).toContain(mine.artifactSha256.slice(0, 10));
    expect(scientistView).not.toContain(theirs.artifactSha256.slice(0, 10));
    const outsiderView = await page("outsider", "/models/braggnn");
    expect(outsiderView).toContain(theirs.artifactSha256.slice(0, 10));
    expect(outsiderView).not.toContain(mine.artifactSha256.slice(0, 10));
    const staffView = await page("staff", "/models/braggnn");
    expect(staffView).toContain(mine.artifactSha256.slice(0, 10));
    expect(staffView).toContain(theirs.artifactSha256.slice(0, 10));

    const count = (where: object) => stack.prisma.modelVersion.count({ where: { familyId: braggnnId, ...where } });
    expect(await page("outsider", "/models")).toContain(`${await count({ experimentId: other.id })} versions · 0 runs`);
    expect(await page("staff", "/models")).toContain(`${await count({})} versions`);
  });
});

describe("#5 restoring a deployment touches only its own experiment", () => {
  it("#5 a restore in one experiment leaves another experiment's model active on the shared edge host", async () => {
    const { restoreDeployment } = await import("@/lib/server/models/restore-deployment");
    const [mine, theirs] = [await experiment("Restore: mine", "pi@demo.test"), await experiment("Restore: theirs", "outsider@demo.test")];
    const old = await deployment(await version(mine.id, sha("15")), false);
    const current = await deployment(await version(mine.id, sha("25")), true);
    const other = await deployment(await version(theirs.id, sha("35")), true);
    await restoreDeployment({ actorId: (await user("pi@demo.test")).id, deploymentId: old.id });
    const active = await stack.prisma.deployment.findMany({ where: { id: { in: [old.id, current.id, other.id] }, active: true } });
    expect(active.map((d) => d.id).sort()).toEqual([old.id, other.id].sort());
  });

  it("#5 concurrent restores of one family end with exactly one active deployment, and the database refuses a second", async () => {
    const { restoreDeployment } = await import("@/lib/server/models/restore-deployment");
    const pi = await user("pi@demo.test");
    const mine = await experiment("Restore: concurrent", "pi@demo.test");
    const a = await deployment(await version(mine.id, sha("45")), false);
    const b = await deployment(await version(mine.id, sha("55")), false);
    const results = await Promise.allSettled([a, b, a, b].map((d) => restoreDeployment({ actorId: pi.id, deploymentId: d.id })));
    // Each restore either applied or found its version already active: none failed on the index or deadlocked.
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "CONFLICT" });
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThanOrEqual(2);
    expect(await stack.prisma.deployment.count({ where: { familyId: braggnnId, experimentId: mine.id, active: true } })).toBe(1);

    await expect(deployment(await version(mine.id, sha("65")), true)).rejects.toThrow(/Unique constraint|Deployment_one_active/);
  });
});
