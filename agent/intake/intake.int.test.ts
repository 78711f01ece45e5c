// Issue 13 #1, edge intake end to end: the real dashboard and the real edge agent; the zoo's simulator writes
// into a folder staff declared as a data root, and the files become datasets by themselves — inspected and
// checksummed on the edge host — or are listed with the reason they did not.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack, waitFor } from "@/testing/stack";
import { HttpSession } from "@/testing/http";
import type { DataRoot } from "@/lib/generated/prisma/client";

const run = promisify(execFile);
const SEED_DIR = process.env.TEST_SEED_DIR ?? path.resolve(".data/test-seed");
const token = (role: "edge" | "trainer") => fs.readFileSync(path.join(SEED_DIR, "agents", `${role}.token`), "utf8").trim();

let stack: Stack;
let root: DataRoot;
let folder: string;

const sha256Of = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

async function simulate(...args: string[]) {
  await run("/usr/bin/python3", ["-m", "beamline_zoo", "simulate", ...args], { env: { ...process.env, PYTHONPATH: "zoo" } });
}

/** Waits for the dataset of a file, returning it and the seconds it took from `since`. */
async function datasetOf(file: string, since: number) {
  const dataset = await waitFor(`a dataset of ${file}`, () => stack.prisma.dataset.findFirst({ where: { path: file } }), 30_000, 100);
  return { dataset, seconds: (Date.now() - since) / 1000 };
}

function report(body: unknown, role: "edge" | "trainer" = "edge") {
  return fetch(`${stack.url}/api/agent/v1/datasets`, {
    method: "POST",
    headers: { authorization: `Bearer ${token(role)}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  stack = await Stack.create({ name: "intake" });
  await stack.startWeb();
  const hedm = await stack.prisma.experiment.findFirstOrThrow({ where: { technique: "HEDM" } });
  const staff = await stack.prisma.user.findUniqueOrThrow({ where: { email: "staff@demo.test" } });
  const edge = await stack.prisma.edgeHost.findFirstOrThrow();
  folder = path.join(stack.dataDir, "detector", "hedm");
  fs.mkdirSync(folder, { recursive: true });
  // As staff declare it on the Edge hosts page.
  root = await stack.prisma.dataRoot.create({ data: { edgeHostId: edge.id, experimentId: hedm.id, path: folder, createdById: staff.id } });
  stack.startAgent("edge", { AGENT_INTAKE_SCAN_MS: "500" });
  await stack.waitForAgents(["edge-agent"]);
});
afterAll(async () => stack?.stop());

describe("edge intake", () => {
  it("registers a file the simulator writes into a watched root within seconds, with its sha256, family and kind", async () => {
    const file = path.join(folder, "run-117.h5");
    await simulate("--family", "cookienetae", "--samples", "16", "--out", file);
    const { dataset, seconds } = await datasetOf(file, Date.now());
    console.log(`[intake] file closed → dataset registered: ${seconds.toFixed(2)} s (scans every 0.5 s)`);
    expect(seconds).toBeLessThan(15);
    expect(dataset).toMatchObject({
      name: "run-117",
      familyKey: "cookienetae",
      kind: "simulated",
      sampleCount: 16,
      sha256: sha256Of(file),
      bytes: BigInt(fs.statSync(file).size),
      dataRootId: root.id,
      // nobody typed anything: the dataset is the root's declarer's (see lib/flow/agent-tasks/intake.ts)
      registeredById: root.createdById,
    });
    expect(dataset.shapes).toEqual({ sample: [16, 128, 128], layout: "spectra" });
    const audit = await stack.prisma.auditEvent.findFirstOrThrow({ where: { targetId: dataset.id } });
    expect(audit).toMatchObject({ action: "dataset.register", actorAgent: "edge-agent", actorUserId: null });
  });

  it("registers each scan of a BraggNN drift series as a raw braggnn dataset", async () => {
    const since = Date.now();
    await simulate("--family", "braggnn", "--drift-series", "3", "--samples", "300", "--out-dir", path.join(folder, "series-a"));
    for (const k of [0, 1, 2]) {
      const file = path.join(folder, "series-a", `scan-00${k}.h5`);
      const { dataset, seconds } = await datasetOf(file, since);
      console.log(`[intake] drift scan ${k}: registered ${seconds.toFixed(2)} s after the simulator started`);
      expect(dataset).toMatchObject({
        name: `series-a/scan-00${k}`,
        familyKey: "braggnn",
        kind: "raw",
        sampleCount: 300,
        sha256: sha256Of(file),
      });
    }
  });

  it("reports files that are no dataset with the reason, registers none of them, and shows them on the browse page", async () => {
    fs.writeFileSync(path.join(folder, "notes.txt"), "beam dumped at 03:12\n");
    fs.writeFileSync(path.join(folder, "broken.h5"), "this is not HDF5");
    const rows = await waitFor(
      "both files reported",
      async () => {
        const found = await stack.prisma.dataRootFile.findMany({
          where: { dataRootId: root.id, problem: { not: null } },
          orderBy: { path: "asc" },
        });
        return found.length === 2 ? found : null;
      },
      30_000,
      200,
    );
    expect(rows.map((r) => [path.basename(r.path), r.datasetId])).toEqual([
      ["broken.h5", null],
      ["notes.txt", null],
    ]);
    expect(rows[0].problem).toContain("not a readable HDF5 file");
    expect(rows[1].problem).toBe("Not an HDF5 file name (.h5 or .hdf5): intake reads HDF5 only.");
    expect(await stack.prisma.dataset.count({ where: { path: { in: rows.map((r) => r.path) } } })).toBe(0);

    const scientist = new HttpSession(stack.url);
    expect(await scientist.signIn("scientist@demo.test")).toBe(true);
    const browse = (await (await scientist.fetch(`/experiments/${root.experimentId}/data`)).text()).replaceAll("<!-- -->", "");
    expect(browse).toContain(folder);
    expect(browse).toContain("Last scanned");
    expect(browse).toContain("series-a/scan-002");
    expect(browse).toContain("Not a dataset: Not an HDF5 file name");
    expect(browse).toContain("broken.h5");
    // A seeded dataset, registered by hand before intake, is linked to its file, not registered again.
    const seeded = await stack.prisma.dataset.findFirstOrThrow({ where: { name: "scan-0042 patches (simulated)" } });
    await waitFor(
      "the seeded file linked to its dataset",
      () => stack.prisma.dataRootFile.findFirst({ where: { path: seeded.path, datasetId: seeded.id } }),
      30_000,
    );
    expect(await stack.prisma.dataset.count({ where: { path: seeded.path } })).toBe(1);
    expect(seeded.dataRootId).toBeNull();

    // A file removed from the folder leaves the list at the next scans; its dataset stays.
    fs.rmSync(path.join(folder, "notes.txt"));
    await waitFor(
      "notes.txt gone from the list",
      async () => !(await stack.prisma.dataRootFile.findFirst({ where: { path: path.join(folder, "notes.txt") } })),
      30_000,
      200,
    );
  });

  it("does not inspect again after a restart: the state file remembers what was reported", async () => {
    const before = await stack.prisma.dataRootFile.findMany({ where: { dataRootId: root.id }, select: { path: true, reportedAt: true } });
    await stack.kill("agent-edge", "SIGTERM");
    stack.startAgent("edge", { AGENT_INTAKE_SCAN_MS: "500" });
    await stack.waitForAgents(["edge-agent"]);
    const scanned = (await stack.prisma.dataRoot.findUniqueOrThrow({ where: { id: root.id } })).lastScannedAt!;
    await waitFor(
      "a scan by the restarted agent",
      async () => ((await stack.prisma.dataRoot.findUniqueOrThrow({ where: { id: root.id } })).lastScannedAt ?? scanned) > scanned,
      30_000,
      200,
    );
    // A new file after the restart is picked up; the old ones were not reported again.
    const file = path.join(folder, "after-restart.h5");
    await simulate("--family", "braggnn", "--samples", "20", "--out", file);
    await datasetOf(file, Date.now());
    const after = await stack.prisma.dataRootFile.findMany({
      where: { dataRootId: root.id, path: { in: before.map((b) => b.path) } },
      select: { path: true, reportedAt: true },
    });
    expect(after.sort((a, b) => a.path.localeCompare(b.path))).toEqual(before.sort((a, b) => a.path.localeCompare(b.path)));
  });
});

describe("the intake endpoint", () => {
  const good = (extra: Record<string, unknown> = {}) => ({
    status: "recognised",
    dataRootId: root.id,
    path: path.join(folder, "run-117.h5"),
    bytes: fs.statSync(path.join(folder, "run-117.h5")).size,
    sha256: sha256Of(path.join(folder, "run-117.h5")),
    familyKey: "cookienetae",
    kind: "simulated",
    sampleCount: 16,
    shape: [16, 128, 128],
    layout: "spectra",
    ...extra,
  });

  it("is idempotent: the same root, path and sha256 give the same dataset", async () => {
    const first = await (await report(good())).json();
    const second = await (await report(good())).json();
    const dataset = await stack.prisma.dataset.findFirstOrThrow({ where: { path: good().path } });
    expect(first).toMatchObject({ datasetId: dataset.id, created: false });
    expect(second).toEqual(first);
  });

  it("refuses a path outside the agent's roots, another edge host's root, a trainer's agent and bad input, each with a clear message", async () => {
    const outside = await report(good({ path: path.join(stack.dataDir, "elsewhere.h5") }));
    expect(outside.status).toBe(400);
    expect((await outside.json()).error).toBe(
      `Invalid request: path: ${path.join(stack.dataDir, "elsewhere.h5")} is not inside data root ${root.id} (${folder}).`,
    );
    const climbing = await report(good({ path: `${folder}/../elsewhere.h5` }));
    expect(climbing.status).toBe(400);
    expect((await climbing.json()).error).toBe("Invalid request: path: The path must not contain '..'.");

    const staff = await stack.prisma.user.findUniqueOrThrow({ where: { email: "staff@demo.test" } });
    const otherHost = await stack.prisma.edgeHost.create({ data: { name: "lcls-tmo-edge", site: "LCLS-II TMO" } });
    const theirs = await stack.prisma.dataRoot.create({
      data: { edgeHostId: otherHost.id, experimentId: root.experimentId, path: "/data/tmo", createdById: staff.id },
    });
    const foreign = await report(good({ dataRootId: theirs.id, path: "/data/tmo/x.h5" }));
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error).toBe(`Data root ${theirs.id} belongs to another edge host.`);

    const trainer = await report(good(), "trainer");
    expect(trainer.status).toBe(403);
    expect((await trainer.json()).error).toBe("Only an edge host's agent reports files of data roots.");

    const bad = await report(good({ sha256: "xyz", sampleCount: 0 }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe("Invalid request: sha256: sha256 must be 64 lowercase hex characters");
    expect(
      await stack.prisma.dataset.count({ where: { path: { in: ["/data/tmo/x.h5", path.join(stack.dataDir, "elsewhere.h5")] } } }),
    ).toBe(0);
  });
});
