// Which agent gets a run's tasks (issue 10 #13) and what a lost claim response costs (#14), with the real
// dashboard, worker, agents and PyTorch; the only stand-in is a proxy that cuts one response, as a network would.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "@/testing/stack";
import { launchInTest } from "@/testing/launch";
import { startDroppingProxy, type DroppingProxy } from "@/testing/dropping-proxy";

const TERMINAL = ["succeeded", "failed", "lost", "canceled"];
let stack: Stack;
let proxy: DroppingProxy | undefined;

beforeAll(async () => {
  stack = await Stack.create({ name: "delivery" });
  process.env.DATABASE_URL = stack.databaseUrl;
  await stack.startAll();
}, 120_000);
afterAll(async () => {
  // The proxy first: a long-poll it still holds open to the dashboard would keep the dashboard from exiting.
  await proxy?.close();
  await stack?.stop();
});

async function issueTrainerToken(name: string) {
  const { issueAgentToken } = await import("@/lib/server/infrastructure/manage-infrastructure");
  const staff = await stack.prisma.user.findUniqueOrThrow({ where: { email: "staff@demo.test" } });
  const trainer = await stack.prisma.trainer.findUniqueOrThrow({ where: { name: "local-cpu" } });
  return issueAgentToken({ actorId: staff.id, input: { kind: "trainer", targetId: trainer.id, name } });
}

async function finished(runId: string) {
  const run = await stack.waitForRun(runId, TERMINAL, 240_000);
  if (run.status !== "succeeded") console.error(run.statusReason, stack.output("agent-trainer").slice(-3000));
  return run;
}

describe("#13 choosing the agent", () => {
  it("#13 a token issued to an agent that never connected gets no task, and a run's trainer steps stay on one live agent", async () => {
    const ghost = await issueTrainerToken("never-started");
    const twin = await issueTrainerToken("twin");
    stack.startAgentWithToken("twin", twin.token, path.join(stack.dataDir, "twin-agent"));
    await stack.waitForAgents(["local-trainer-agent", "twin", "edge-agent"]);

    const run = await launchInTest(stack, { epochs: 1, maxSamples: 500 });
    expect((await finished(run.id)).status).toBe("succeeded");
    const tasks = await stack.prisma.task.findMany({ where: { runId: run.id }, include: { agent: { select: { kind: true } } } });
    const trainerSide = tasks.filter((t) => t.agent.kind === "trainer");
    expect(trainerSide.map((t) => t.kind).sort()).toEqual(["stage_in", "train"]);
    expect(tasks.map((t) => t.agentId)).not.toContain(ghost.agent.id);
    expect(new Set(trainerSide.map((t) => t.agentId)).size).toBe(1);
    const after = await stack.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after.trainerAgentId).toBe(trainerSide[0].agentId);
  });
});

describe("#14 a claim whose response is lost", () => {
  it("#14 is handed out again to the agent's next long-poll, and the run succeeds without a retry", async () => {
    // One trainer agent, behind the proxy: the others of the test above go, with their tokens.
    await stack.kill("agent-twin", "SIGTERM");
    await stack.prisma.agent.updateMany({
      where: { kind: "trainer", name: { not: "local-trainer-agent" }, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    proxy = await startDroppingProxy(stack.url);
    await stack.kill("agent-trainer", "SIGTERM");
    stack.startAgent("trainer", { DASHBOARD_URL: proxy.url });
    await stack.waitForAgents(["local-trainer-agent"]);

    const run = await launchInTest(stack, { epochs: 1, maxSamples: 500 });
    expect((await finished(run.id)).status).toBe("succeeded");
    expect(proxy.dropped).toHaveLength(1);
    const [lost] = proxy.dropped;
    expect(proxy.handedOut.filter((id) => id === lost)).toHaveLength(2);
    const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: lost }, include: { step: true } });
    expect(task.status).toBe("succeeded");
    expect(task.acknowledgedAt).not.toBeNull();
    expect(await stack.prisma.runStep.count({ where: { runId: run.id, attempt: { gt: 1 } } })).toBe(0);
  });
});
