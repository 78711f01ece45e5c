// The dashboard is a separate server that a unit test cannot reach: a recording stand-in takes its
// place here (the real API is covered by the integration tests). Fake timers stand in for waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AgentConfig } from "@/agent/config";
import type { DashboardClient } from "@/agent/dashboard-client";
import { createTaskContext } from "@/agent/task-context";
import type { TaskEvent } from "@/agent/event-buffer";

const task = { id: "task-1", runId: "run-1", kind: "stage_in" as const, attempt: 1, payload: {}, leaseSeconds: 20 };

function recordingDashboard() {
  const requests: TaskEvent[][] = [];
  let release: (() => void) | null = null;
  let away = false;
  const client: DashboardClient = {
    async request(_method, _path, options) {
      if (away) await new Promise<void>((resolve) => (release = resolve));
      requests.push((options?.body as { events: TaskEvent[] }).events);
      return null;
    },
  };
  return {
    client,
    requests,
    goAway: () => (away = true),
    comeBack: () => {
      away = false;
      release?.();
    },
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("task context reporting", () => {
  it("#11 a transfer's progress (every 100 ms) reaches the dashboard at most once a second, the newest last", async () => {
    const dashboard = recordingDashboard();
    const context = createTaskContext(task, {} as AgentConfig, dashboard.client, new AbortController().signal);
    for (let done = 1; done <= 30; done++) {
      context.emit({ type: "progress", done, total: 30 });
      await vi.advanceTimersByTimeAsync(100);
    }
    const final = await context.takeFinal();
    const progressRequests = [...dashboard.requests, final].filter((events) => events.some((item) => item.type === "progress"));
    expect(progressRequests.length).toBeGreaterThanOrEqual(2);
    expect(progressRequests.length).toBeLessThanOrEqual(4);
    expect(final.at(-1)).toEqual({ type: "progress", done: 30, total: 30 });
  });

  it("#19 while the dashboard is away the buffered log lines stay bounded; a marker counts the dropped ones", async () => {
    const dashboard = recordingDashboard();
    const context = createTaskContext(task, {} as AgentConfig, dashboard.client, new AbortController().signal);
    dashboard.goAway();
    context.log("first");
    await vi.advanceTimersByTimeAsync(200); // "first" is in flight, waiting for the dashboard
    context.emit({ type: "metric", metric: { epoch: 1, loss: 1, valLoss: null, metrics: {}, seconds: 1, samplesPerSecond: 1 } });
    for (let index = 0; index < 20_000; index++) context.log(`line ${index}`);
    await vi.advanceTimersByTimeAsync(200);
    dashboard.comeBack();
    const final = await context.takeFinal();
    const delivered = [...dashboard.requests, final].flat();
    expect(delivered.filter((item) => item.type === "metric")).toHaveLength(1);
    expect(delivered.length).toBeLessThanOrEqual(5003);
    expect(delivered).toContainEqual({ type: "log", line: expect.stringMatching(/^\[agent\] 15000 log lines dropped/) });
    expect(delivered.at(-1)).toEqual({ type: "log", line: "line 19999" });
  });

  it("keeps the last batch for the completion request: earlier ones are sent, nothing is left behind", async () => {
    const dashboard = recordingDashboard();
    const context = createTaskContext(task, {} as AgentConfig, dashboard.client, new AbortController().signal);
    for (let index = 0; index < 450; index++) context.log(`line ${index}`);
    context.emit({ type: "progress", done: 1, total: 1 });
    const final = await context.takeFinal();
    expect(dashboard.requests.map((events) => events.length)).toEqual([200, 200]);
    expect(final).toEqual([
      ...Array.from({ length: 50 }, (_, index) => ({ type: "log", line: `line ${400 + index}` })),
      { type: "progress", done: 1, total: 1 },
    ]);
    expect(await context.takeFinal()).toEqual([]);
  });
});
