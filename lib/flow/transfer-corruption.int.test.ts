// Bytes corrupted between the edge host and the trainer (DESIGN §5: transfers are sha256-verified).
// The edge agent's real data plane listens on a port we choose; the address it advertises to the
// dashboard is a proxy in front of it that flips a byte of response bodies — it stands in for a
// corrupting network (a bad NIC, a broken middlebox). Everything else is the real stack.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort, Stack } from "@/testing/stack";
import { launchInTest } from "@/testing/launch";
import { startCorruptingProxy, type CorruptingProxy } from "@/testing/corrupting-proxy";

const TERMINAL = ["succeeded", "failed", "lost", "canceled"];
// Waits below carry their own bounds (and messages); the test limit only backs them up.
vi.setConfig({ testTimeout: 240_000 });

let stack: Stack;
let proxy: CorruptingProxy;

beforeAll(async () => {
  stack = await Stack.create({ name: "transfer_corruption" });
  const edgeDataPort = await freePort();
  proxy = await startCorruptingProxy({ targetPort: edgeDataPort, mode: "off" });
  await stack.startWeb();
  stack.startWorker();
  stack.startAgent("trainer");
  stack.startAgent("edge", { AGENT_DATA_PORT: String(edgeDataPort), AGENT_PUBLIC_DATA_URL: proxy.url });
  await stack.waitForAgents(["local-trainer-agent", "edge-agent"]);
  const edge = await stack.prisma.agent.findFirstOrThrow({ where: { name: "edge-agent" } });
  expect(edge.dataPlaneUrl).toBe(proxy.url);
});
afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
});

/** Everything in the trainer agent's store that belongs to this sha256 (verified file or partial). */
function trainerStoreEntries(sha256: string): string[] {
  const store = path.join(stack.agentWorkdir("trainer"), "store");
  if (!fs.existsSync(store)) return [];
  return fs.readdirSync(store).filter((f) => f.includes(sha256));
}

describe("a dataset corrupted in transit is never used", () => {
  it("fails stage-in with a checksum message when every copy is corrupted, and promotes nothing", async () => {
    proxy.mode = "always";
    const deploymentsBefore = await stack.prisma.deployment.count();
    const run = await launchInTest(stack, { dataset: "run-117", epochs: 1, maxSamples: 200 });
    const dataset = await stack.prisma.dataset.findUniqueOrThrow({ where: { id: run.datasetId } });
    const done = await stack.waitForRun(run.id, TERMINAL, 90_000);
    expect(done.status, done.statusReason ?? "").toBe("failed");
    expect(done.statusReason).toMatch(/checksum mismatch/i);
    expect(proxy.stats.corrupted).toBeGreaterThan(1); // it tried again before giving up

    const stageIn = await stack.prisma.runStep.findFirstOrThrow({ where: { runId: run.id, name: "stage_in" } });
    expect(stageIn.status).toBe("failed");
    expect(stageIn.error).toMatch(/checksum mismatch/i);
    expect(await stack.prisma.runStep.count({ where: { runId: run.id, name: { in: ["train", "stage_out", "deploy"] } } })).toBe(0);
    expect(await stack.prisma.modelVersion.count({ where: { runId: run.id } })).toBe(0);
    expect(await stack.prisma.deployment.count()).toBe(deploymentsBefore);
    // No corrupt copy (nor a leftover partial) sits in the trainer's content-addressed store.
    expect(trainerStoreEntries(dataset.sha256)).toEqual([]);
    // The transfer is closed, not left "active" with a live token after its run ended.
    const transfers = await stack.prisma.transfer.findMany({ where: { runId: run.id } });
    expect(transfers.map((t) => [t.purpose, t.status])).toEqual([["dataset", "failed"]]);
  });

  it("detects a corrupted first copy, fetches it again, and the run succeeds", async () => {
    proxy.mode = "first";
    const corruptedBefore = proxy.stats.corrupted;
    const run = await launchInTest(stack, { epochs: 1, maxSamples: 500 });
    const done = await stack.waitForRun(run.id, TERMINAL, 150_000);
    expect(done.status, done.statusReason ?? "").toBe("succeeded");
    expect(proxy.stats.corrupted).toBe(corruptedBefore + 1);

    const transfer = await stack.prisma.transfer.findFirstOrThrow({ where: { runId: run.id, purpose: "dataset" } });
    expect(transfer.status).toBe("succeeded");
    expect(transfer.attempts).toBeGreaterThan(1);
    const logs = await stack.prisma.runLog.findMany({ where: { runId: run.id } });
    expect(
      logs.some((l) => /checksum mismatch/i.test(l.line)),
      logs.map((l) => l.line).join("\n"),
    ).toBe(true);

    // What the trainer kept is the verified file, byte for byte the edge's dataset.
    const dataset = await stack.prisma.dataset.findUniqueOrThrow({ where: { id: run.datasetId } });
    expect(trainerStoreEntries(dataset.sha256)).toEqual([`${dataset.sha256}.h5`]);
    const stored = fs.readFileSync(path.join(stack.agentWorkdir("trainer"), "store", `${dataset.sha256}.h5`));
    expect(stored.equals(fs.readFileSync(dataset.path))).toBe(true);
    expect(await stack.prisma.modelVersion.count({ where: { runId: run.id } })).toBe(1);
  });
});

describe("a model artifact that changed on the trainer after training is never deployed", () => {
  it("fails stage-out on the checksum the trainer reported, with no model version and nothing on the edge", async () => {
    proxy.mode = "off";
    const run = await launchInTest(stack, { epochs: 1, maxSamples: 500 });
    await stack.waitForStep(run.id, "train", "running", 60_000);
    // Freeze the edge agent so that stage-out waits, and alter the trained file meanwhile (same size:
    // only the sha256 can tell), as a disk error or a stray process on the trainer would.
    stack.signal("agent-edge", "SIGSTOP");
    let resumed = false;
    try {
      await stack.waitForStep(run.id, "train", "succeeded", 90_000);
      const train = await stack.prisma.task.findFirstOrThrow({ where: { runId: run.id, kind: "train", status: "succeeded" } });
      const artifact = (train.result as { artifact: { path: string; sha256: string } }).artifact;
      const bytes = fs.readFileSync(artifact.path);
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      fs.writeFileSync(artifact.path, bytes);
      stack.signal("agent-edge", "SIGCONT");
      resumed = true;

      const done = await stack.waitForRun(run.id, TERMINAL, 90_000);
      expect(done.status, done.statusReason ?? "").toBe("failed");
      expect(done.statusReason).toMatch(/checksum mismatch/i);
      const stageOut = await stack.prisma.runStep.findFirstOrThrow({ where: { runId: run.id, name: "stage_out" } });
      expect(stageOut.status).toBe("failed");
      expect(await stack.prisma.runStep.count({ where: { runId: run.id, name: "deploy" } })).toBe(0);
      expect(await stack.prisma.modelVersion.count({ where: { runId: run.id } })).toBe(0);
      expect(await stack.prisma.deployment.count({ where: { modelVersion: { runId: run.id } } })).toBe(0);
      const edgeStore = path.join(stack.agentWorkdir("edge"), "store");
      const onEdge = fs.existsSync(edgeStore) ? fs.readdirSync(edgeStore).filter((f) => f.includes(artifact.sha256)) : [];
      expect(onEdge).toEqual([]);
      expect(fs.existsSync(path.join(stack.agentWorkdir("edge"), "models", run.id))).toBe(false);
    } finally {
      if (!resumed) stack.signal("agent-edge", "SIGCONT");
    }
  });
});
