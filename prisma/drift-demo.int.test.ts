// The seeded drift demo, as `npm start` seeds it: the real seed script against a copy of the template database,
// the real zoo training the base, and the edge's spot check against the deployed checkpoint on the seeded scans.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIFT_DEMO, scanNames } from "@/prisma/drift-demo";
import { runZoo } from "@/prisma/zoo-cli";
import { Stack } from "@/testing/stack";

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.create({ name: "drift-demo" });
});
afterAll(async () => {
  await stack?.stop();
});

function seed(): string {
  const done = spawnSync(process.execPath, ["--import", "tsx", "prisma/seed.ts"], {
    env: { ...stack.env(), BEAMLINE_DATA_DIR: stack.dataDir, SEED_SAMPLE_SCALE: "1", SEED_DRIFT_DEMO: "1" },
    encoding: "utf8",
    timeout: 240_000,
  });
  expect(done.status, done.stderr).toBe(0);
  return done.stdout;
}

async function seeded() {
  const hedm = await stack.prisma.experiment.findFirstOrThrow({ where: { name: { startsWith: "Ti-7Al" } } });
  const versions = await stack.prisma.modelVersion.findMany({ where: { family: { key: "braggnn" } }, include: { dataset: true } });
  const deployments = await stack.prisma.deployment.findMany({ where: { family: { key: "braggnn" } }, include: { edgeHost: true } });
  return { hedm, versions, deployments };
}

const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("seeded drift demo", () => {
  it("deploys a base BraggNN v1 on the edge host and writes a drifting series it no longer fits", async () => {
    const out = seed();
    expect(out).toMatch(/\[seed\] drift demo: BraggNN v1 trained \(validation 0\.\d+ px\), deployed; 5 drifting scans written/);
    const { hedm, versions, deployments } = await seeded();

    expect(versions).toHaveLength(1);
    const [version] = versions;
    expect(version).toMatchObject({ version: 1, runId: null, parentId: null, experimentId: hedm.id, aliases: ["latest"] });
    expect(version.dataset?.name).toBe("base peaks, undrifted (simulated)");
    const metrics = version.metrics as Record<string, number>;
    expect(metrics.mean).toBeGreaterThan(0);
    expect(metrics.mean).toBeLessThan(0.35);

    expect(deployments).toHaveLength(1);
    const [deployment] = deployments;
    const checkpoint = path.join(stack.agentWorkdir("edge"), "models", DRIFT_DEMO.modelDir, "checkpoint.pt");
    expect(deployment).toMatchObject({ active: true, modelVersionId: version.id, experimentId: hedm.id, path: checkpoint });
    expect(deployment.edgeHost.name).toBe("aps-1id-edge");
    expect(sha256(checkpoint)).toBe(version.artifactSha256);
    expect(BigInt(fs.statSync(checkpoint).size)).toBe(version.artifactBytes);

    // The series lies in the experiment's data root on the edge host, beside the base's own data.
    const root = await stack.prisma.dataRoot.findFirstOrThrow({ where: { experimentId: hedm.id, path: { startsWith: stack.dataDir } } });
    expect(path.dirname(version.dataset!.path)).toBe(root.path);
    const scans = scanNames(5).map((name) => path.join(root.path, name));
    expect(scans.every((file) => fs.existsSync(file))).toBe(true);

    // What the edge's spot check will see: the deployed model fits the first scan, not the last.
    const spot = (file: string) => {
      const args = [
        "spot-check",
        "--checkpoint",
        checkpoint,
        "--checkpoint-sha256",
        version.artifactSha256,
        "--data",
        file,
        "--fraction",
        "0.25",
      ];
      return Number(runZoo(args).find((line) => line.type === "spot_check")!.mean_px);
    };
    const [first, last] = [spot(scans[0]), spot(scans[4])];
    expect(first).toBeLessThan(0.35);
    expect(last).toBeGreaterThan(0.45);
    expect(last).toBeGreaterThan(1.8 * first);
  });

  it("seeds again without training, registering or deploying anything new; a lost scan is written again", async () => {
    const before = await seeded();
    const scan = path.join(path.dirname(before.versions[0].dataset!.path), "scan-002.h5");
    fs.rmSync(scan);
    const out = seed();
    expect(out).toContain("[seed] drift demo: BraggNN v1 reused, in service; 1 drifting scans written");
    const after = await seeded();
    expect(after.versions.map((v) => [v.id, v.artifactSha256])).toEqual(before.versions.map((v) => [v.id, v.artifactSha256]));
    expect(after.deployments.map((d) => [d.id, d.active])).toEqual(before.deployments.map((d) => [d.id, d.active]));
    expect(fs.existsSync(scan)).toBe(true);
  });

  it("leaves a later deployment (a retrain's) in service", async () => {
    const { versions, deployments } = await seeded();
    const [base, active] = [versions[0], deployments[0]];
    const later = await stack.prisma.modelVersion.create({
      data: {
        familyId: base.familyId,
        version: 2,
        parentId: base.id,
        datasetId: base.datasetId,
        experimentId: base.experimentId,
        metrics: { mean: 0.2 },
        artifactFormat: "pytorch-checkpoint",
        artifactBytes: base.artifactBytes,
        artifactSha256: "b".repeat(64),
        aliases: [],
      },
    });
    await stack.prisma.deployment.update({ where: { id: active.id }, data: { active: false, retiredAt: new Date() } });
    await stack.prisma.deployment.create({
      data: {
        modelVersionId: later.id,
        edgeHostId: active.edgeHostId,
        familyId: active.familyId,
        experimentId: active.experimentId,
        path: path.join(stack.agentWorkdir("edge"), "models", "a-retrain", "checkpoint.pt"),
        validation: {},
      },
    });
    expect(seed()).toContain("[seed] drift demo: BraggNN v1 reused, replaced; 0 drifting scans written");
    const after = await seeded();
    expect(after.versions).toHaveLength(2);
    expect(after.deployments.filter((d) => d.active).map((d) => d.modelVersionId)).toEqual([later.id]);
  });
});
