// The dashboard as several processes (issue 15): two `next start` processes behind a balancer and two
// workers on one PostgreSQL. Under a load of concurrent runs one web process and one worker are killed
// (SIGKILL); every run still ends succeeded exactly once, nothing is stuck, and a viewer on the
// surviving web process keeps receiving live updates. Agent rate limits count in PostgreSQL, so both
// web processes hold an agent to one budget.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort, Stack, waitFor } from "@/testing/stack";
import { startBalancer, type Balancer } from "@/testing/balancer";
import { HttpSession } from "@/testing/http";
import { launchInTest } from "@/testing/launch";
import { openEventStream } from "@/testing/sse";

vi.setConfig({ testTimeout: 420_000 });
const TERMINAL = ["succeeded", "failed", "lost", "canceled"];
const RUNS = 6;
const AGENT_RATE_LIMIT = 5000;
type View = { status: string; metrics: unknown[] };

let stack: Stack;
let balancer: Balancer;
const web = { one: 0, two: 0 };

beforeAll(async () => {
  stack = await Stack.create({ name: "multi_process", env: { AGENT_RATE_LIMIT: String(AGENT_RATE_LIMIT) } });
  web.one = await freePort();
  web.two = await freePort();
  // The public URL (agents, sign-in) is the balancer's; each web process has a port of its own.
  balancer = await startBalancer([web.one, web.two], Number(new URL(stack.url).port));
  await Promise.all([stack.startWeb("web-1", web.one), stack.startWeb("web-2", web.two)]);
  stack.startWorker("worker-1");
  stack.startWorker("worker-2");
  stack.startAgent("trainer");
  stack.startAgent("edge");
  await stack.waitForAgents(["local-trainer-agent", "edge-agent"]);
  await stack.prisma.trainer.update({ where: { name: "local-cpu" }, data: { concurrency: 3 } });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await balancer?.close();
});

describe("two web processes and two workers, one of each killed under load", () => {
  it("ends every run succeeded exactly once, none stuck, and the survivor's viewer keeps receiving updates", async () => {
    const startedAt = Date.now();
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await launchInTest(stack, { epochs: 2, maxSamples: 600, batchSize: 64 }));
    const watched = runs.at(-1)!; // queued behind the others: still running well after the kill
    const viewer = new HttpSession(`http://127.0.0.1:${web.one}`);
    expect(await viewer.signIn("scientist@demo.test")).toBe(true);
    const live = await openEventStream<View>(viewer, `/api/runs/${watched.id}/events`);
    expect(live.status).toBe(200);

    // Mid-load: some run is training while others still wait for a slot.
    await waitFor(
      "a run in training while another is queued",
      async () => {
        const training = await stack.prisma.runStep.count({ where: { name: "train", status: "running" } });
        const queued = await stack.prisma.run.count({ where: { status: "queued" } });
        return training > 0 && queued > 0;
      },
      180_000,
      100,
    );
    const killedAt = Date.now();
    await Promise.all([stack.kill("web-2", "SIGKILL"), stack.kill("worker-1", "SIGKILL")]);
    const atKill = await stack.prisma.run.groupBy({ by: ["status"], _count: true });

    const done = [];
    for (const run of runs) done.push(await stack.waitForRun(run.id, TERMINAL, 300_000));
    const endedAt = Date.now();
    for (const run of done) {
      if (run.status !== "succeeded") {
        for (const name of ["web-1", "worker-2", "agent-trainer", "agent-edge"])
          console.error(`--- ${name} ---\n${stack.output(name).slice(-3000)}`);
      }
      expect(run.status, `run ${run.id}: ${run.statusReason ?? ""}`).toBe("succeeded");
    }

    // Exactly once: one attempt per step, one succeeded task per step, one metric per epoch, one model.
    for (const run of runs) {
      const steps = await stack.prisma.runStep.findMany({ where: { runId: run.id } });
      expect(steps.every((s) => s.attempt === 1 && s.status === "succeeded")).toBe(true);
      const tasks = await stack.prisma.task.findMany({ where: { runId: run.id } });
      const perStep = new Map<string, number>();
      for (const t of tasks) if (t.status === "succeeded") perStep.set(t.stepId, (perStep.get(t.stepId) ?? 0) + 1);
      expect([...perStep.values()].every((n) => n === 1)).toBe(true);
      expect(tasks.filter((t) => t.status !== "succeeded")).toEqual([]);
      expect((await stack.prisma.runMetric.findMany({ where: { runId: run.id } })).map((m) => m.epoch).sort()).toEqual([1, 2]);
      expect(await stack.prisma.modelVersion.count({ where: { runId: run.id } })).toBe(1);
    }

    // The viewer on the surviving process saw the run change after the kill, through to its end.
    const final = await live.next((view) => view.status === "succeeded", 30_000);
    expect(final, "the viewer's stream never showed the run succeeded").not.toBeNull();
    const afterKill = live.messages.filter((m) => m.receivedAt > killedAt);
    expect(afterKill.length).toBeGreaterThan(1);
    live.close();
    expect(stack.isRunning("web-1") && stack.isRunning("worker-2")).toBe(true);

    console.log(
      `[multi-process] ${RUNS} runs, 2 web + 2 workers; killed web-2 + worker-1 at ${((killedAt - startedAt) / 1000).toFixed(1)} s ` +
        `(runs then: ${atKill.map((g) => `${g._count} ${g.status}`).join(", ")}); all ${RUNS} succeeded at ` +
        `${((endedAt - startedAt) / 1000).toFixed(1)} s, ${((endedAt - killedAt) / 1000).toFixed(1)} s after the kill; ` +
        `viewer on web-1: ${afterKill.length} updates after the kill; balancer connections ` +
        `web-1 ${balancer.connections.get(web.one)}, web-2 ${balancer.connections.get(web.two)}`,
    );
  });
});

describe("agent rate limits across web processes", () => {
  it("counts an agent's requests to both processes against one budget in PostgreSQL", async () => {
    process.env.DATABASE_URL = stack.databaseUrl;
    const { createSharedRateLimiter } = await import("@/lib/security/shared-rate-limit");
    // Two limiters, as two processes hold them: the third hit is over a limit of 2 whichever one counts it.
    const key = `test-${Date.now()}`;
    const [a, b] = [createSharedRateLimiter("itest", 2, 60_000), createSharedRateLimiter("itest", 2, 60_000)];
    expect([await a.hit(key), await b.hit(key)]).toEqual([0, 0]);
    const wait = await a.hit(key);
    expect(wait).toBeGreaterThan(55);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await b.hit(key)).toBeGreaterThan(0);
    expect(await a.hit(`${key}-other`)).toBe(0);
    // concurrent hits from both lose no count (one statement each, ordered by the row lock)
    const burst = `burst-${Date.now()}`;
    const limiter = (i: number) => (i % 2 ? a : b);
    const waits = await Promise.all(Array.from({ length: 20 }, (_, i) => limiter(i).hit(burst)));
    expect(waits.filter((w) => w === 0)).toHaveLength(2);
  });
});
