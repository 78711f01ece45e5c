// The agent API never trusts its caller (DESIGN §5): exercised over HTTP against the built dashboard,
// with the agent tokens the seed issued. No agent process runs: the test plays the agents.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "@/testing/stack";
import { launchInTest } from "@/testing/launch";
import { hashSecret } from "@/lib/flow/tokens";

let stack: Stack;
const seedDir = process.env.TEST_SEED_DIR ?? path.resolve(__dirname, "../../.data/test-seed");
const token = (role: "trainer" | "edge" | "slurm") => fs.readFileSync(path.join(seedDir, "agents", `${role}.token`), "utf8").trim();

async function call(
  method: "GET" | "POST",
  route: string,
  options: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${stack.url}${route}`, { method, headers, body });
  const text = await response.text();
  let json: { error?: string; code?: string; [key: string]: unknown } | null = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: response.status, json, text };
}

interface Claimed {
  id: string;
  runId: string;
  kind: string;
  payload: { dataset: { token: string; transferId: string } };
}
let claimed: Claimed;

const validMetric = { epoch: 1, loss: 0.5, valLoss: 0.4, metrics: { mean: 1.2 }, seconds: 1, samplesPerSecond: 100 };

beforeAll(async () => {
  stack = await Stack.create({ name: "agent_api" });
  await stack.startWeb();
  // The edge agent announces its data plane (stage-in needs it) and the trainer agent comes online (only
  // live agents get tasks), then a run gives the trainer a task.
  for (const role of ["edge", "trainer"] as const) {
    const beat = await call("POST", "/api/agent/v1/heartbeat", {
      token: token(role),
      body: { version: "test", dataPlaneUrl: "http://127.0.0.1:9/", activeTaskIds: [] },
    });
    expect(beat.status, beat.text).toBe(200);
  }
  await launchInTest(stack, { epochs: 1, maxSamples: 100 });
  const next = await call("GET", "/api/agent/v1/tasks/next?wait=5", { token: token("trainer") });
  expect(next.status, next.text).toBe(200);
  claimed = next.json as unknown as Claimed;
  expect(claimed.kind).toBe("stage_in");
});
afterAll(async () => {
  await stack?.stop();
});

async function counts(runId: string) {
  const [logs, metrics, step] = await Promise.all([
    stack.prisma.runLog.count({ where: { runId } }),
    stack.prisma.runMetric.count({ where: { runId } }),
    stack.prisma.runStep.findFirstOrThrow({ where: { runId, name: "stage_in" } }),
  ]);
  return { logs, metrics, detail: step.detail, status: step.status };
}

describe("agent API authentication: only a live agent token gets in, with a message saying what is wrong", () => {
  it("refuses a request without a token", async () => {
    const r = await call("POST", "/api/agent/v1/heartbeat", { body: { version: "x", dataPlaneUrl: null, activeTaskIds: [] } });
    expect(r.status).toBe(401);
    expect(r.json?.error).toMatch(/Authorization: Bearer/);
  });

  it("refuses a forged token", async () => {
    const forged = `agt_${"A".repeat(43)}`;
    const r = await call("GET", "/api/agent/v1/tasks/next?wait=0", { token: forged });
    expect(r.status).toBe(401);
    expect(r.json?.error).toBe("Unknown agent token.");
  });

  it("refuses a revoked token, though it was valid a moment before", async () => {
    const before = await call("GET", "/api/agent/v1/tasks/next?wait=0", { token: token("slurm") });
    expect(before.status).toBe(204);
    await stack.prisma.agent.updateMany({ where: { name: "slurm-login-agent" }, data: { revokedAt: new Date() } });
    const r = await call("GET", "/api/agent/v1/tasks/next?wait=0", { token: token("slurm") });
    expect(r.status).toBe(401);
    expect(r.json?.error).toMatch(/revoked/);
  });
});

describe("agent API input checks: malformed, oversized and out-of-schema bodies are refused whole", () => {
  it("answers 400 to a body that is not JSON", async () => {
    const r = await call("POST", `/api/agent/v1/tasks/${claimed.id}/events`, { token: token("trainer"), raw: '{"events": [' });
    expect(r.status).toBe(400);
    expect(r.json?.error).toBe("Body is not valid JSON.");
  });

  it("answers 413 to a body over 256 KiB, whether it declares its length or not", async () => {
    const big = JSON.stringify({ events: [{ type: "log", line: "x".repeat(300 * 1024) }] });
    const r = await call("POST", `/api/agent/v1/tasks/${claimed.id}/events`, { token: token("trainer"), raw: big });
    expect(r.status).toBe(413);
    expect(r.json?.error).toMatch(/Body over 262144 bytes/);

    // Chunked: no content-length header, so the limit must hold on the bytes actually read.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await fetch(`${stack.url}/api/agent/v1/tasks/${claimed.id}/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${token("trainer")}`, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it.each([
    ["a metric loss of NaN sent as a string", { type: "metric", metric: { ...validMetric, loss: "NaN" } }, "events.1.metric.loss"],
    ["an unknown event type", { type: "shell", command: "rm -rf /" }, "events.1.type"],
    ["a negative epoch", { type: "metric", metric: { ...validMetric, epoch: -1 } }, "events.1.metric.epoch"],
    ["a non-finite metric value", { type: "metric", metric: { ...validMetric, metrics: { mean: 1e400 } } }, "events.1.metric.metrics"],
  ])("answers 400 naming the field to %s, and writes nothing of the batch", async (_what, bad, field) => {
    const before = await counts(claimed.runId);
    // A good log line first: a batch is all or nothing.
    const r = await call("POST", `/api/agent/v1/tasks/${claimed.id}/events`, {
      token: token("trainer"),
      body: { events: [{ type: "log", line: "half-written?" }, bad] },
    });
    expect(r.status, r.text).toBe(400);
    expect(r.json?.error).toContain(field);
    expect(await counts(claimed.runId)).toEqual(before);
  });

  it("accepts a valid batch (so the refusals above were about the input)", async () => {
    const before = await counts(claimed.runId);
    const r = await call("POST", `/api/agent/v1/tasks/${claimed.id}/events`, {
      token: token("trainer"),
      body: {
        events: [
          { type: "log", line: "a line" },
          { type: "metric", metric: validMetric },
          { type: "started", executorJobId: "local:123" },
          { type: "progress", done: 10, total: 20, note: "dataset" },
        ],
      },
    });
    expect(r.status, r.text).toBe(200);
    const after = await counts(claimed.runId);
    expect(after.logs).toBe(before.logs + 1);
    expect(after.metrics).toBe(before.metrics + 1);
    // Both step events of one batch are kept (neither overwrites the other).
    expect(after.detail).toMatchObject({ executorJobId: "local:123", progress: { done: 10, total: 20, note: "dataset" } });
  });

  it("answers 400 to a heartbeat with a bad data-plane address and leaves the agent row as it was", async () => {
    const before = await stack.prisma.agent.findFirstOrThrow({ where: { name: "edge-agent" } });
    const r = await call("POST", "/api/agent/v1/heartbeat", {
      token: token("edge"),
      body: { version: "evil", dataPlaneUrl: "javascript:alert(1)", activeTaskIds: [] },
    });
    expect(r.status).toBe(400);
    expect(r.json?.error).toContain("dataPlaneUrl");
    const after = await stack.prisma.agent.findFirstOrThrow({ where: { name: "edge-agent" } });
    expect([after.version, after.dataPlaneUrl]).toEqual([before.version, before.dataPlaneUrl]);
  });
});

describe("agent API scoping: an agent sees only its own tasks and transfers", () => {
  it("answers another agent's task id exactly like an unknown one (404)", async () => {
    const body = { events: [{ type: "log", line: "not mine" }] };
    const theirs = await call("POST", `/api/agent/v1/tasks/${claimed.id}/events`, { token: token("edge"), body });
    const unknown = await call("POST", "/api/agent/v1/tasks/no-such-task-0000/events", { token: token("edge"), body });
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(theirs.json).toEqual(unknown.json);
    const complete = await call("POST", `/api/agent/v1/tasks/${claimed.id}/complete`, {
      token: token("edge"),
      body: { status: "failed", error: "hijacked" },
    });
    expect(complete.status).toBe(404);
    const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: claimed.id } });
    expect(task.status).toBe("leased");
  });

  it("refuses (403) a transfer token presented by an agent that is not the transfer's source", async () => {
    const { token: transferToken } = claimed.payload.dataset;
    const wrong = await call("POST", "/api/agent/v1/transfers/authorize", { token: token("trainer"), body: { token: transferToken } });
    expect(wrong.status).toBe(403);
    const right = await call("POST", "/api/agent/v1/transfers/authorize", { token: token("edge"), body: { token: transferToken } });
    expect(right.status, right.text).toBe(200);
    expect(right.json?.transferId).toBe(claimed.payload.dataset.transferId);
  });
});

describe("issue 10: transfer tokens and data-plane addresses", () => {
  const authorize = (transferToken: string) =>
    call("POST", "/api/agent/v1/transfers/authorize", { token: token("edge"), body: { token: transferToken } });

  it("#12 stores no usable token in the task, binds the token to its delivery, and honours it only while the task is held", async () => {
    const received = claimed.payload.dataset.token;
    const stored = (await stack.prisma.task.findUniqueOrThrow({ where: { id: claimed.id } })).payload as Claimed["payload"];
    expect(stored.dataset.token).not.toBe(received);
    const transfer = await stack.prisma.transfer.findUniqueOrThrow({ where: { id: claimed.payload.dataset.transferId } });
    expect(transfer.tokenHash).toBe(hashSecret(received));
    expect(transfer.tokenHash).not.toBe(hashSecret(stored.dataset.token));
    expect((await authorize(stored.dataset.token)).status).toBe(403);

    // Delivered again (the first answer taken as lost, #14): a new token, and the first one is dead.
    const again = await call("GET", "/api/agent/v1/tasks/next?wait=1", { token: token("trainer") });
    expect(again.status, again.text).toBe(200);
    const redelivered = again.json as unknown as Claimed;
    expect(redelivered.id).toBe(claimed.id);
    expect(redelivered.payload.dataset.token).not.toBe(received);
    expect((await authorize(received)).status).toBe(403);
    expect((await authorize(redelivered.payload.dataset.token)).status).toBe(200);
    claimed = redelivered;

    // The token lives with its task: once the receiving agent no longer holds it, it authorises nothing.
    await stack.prisma.task.update({ where: { id: claimed.id }, data: { status: "lost" } });
    try {
      expect((await authorize(claimed.payload.dataset.token)).status).toBe(403);
    } finally {
      await stack.prisma.task.update({ where: { id: claimed.id }, data: { status: "leased" } });
    }
  });

  it("#15 refuses a data-plane address with a path, query or credentials, and keeps only scheme://host:port", async () => {
    const beat = (dataPlaneUrl: string) =>
      call("POST", "/api/agent/v1/heartbeat", { token: token("edge"), body: { version: "test", dataPlaneUrl, activeTaskIds: [] } });
    for (const bad of ["http://127.0.0.1:9/steal?path=/etc/passwd", "http://user:pw@127.0.0.1:9", "http://127.0.0.1:9/#x"]) {
      const r = await beat(bad);
      expect(r.status, bad).toBe(400);
      expect(r.json?.error).toContain("dataPlaneUrl");
    }
    expect((await beat("http://127.0.0.1:9")).status).toBe(200);
    expect((await stack.prisma.agent.findFirstOrThrow({ where: { name: "edge-agent" } })).dataPlaneUrl).toBe("http://127.0.0.1:9");
  });
});

describe("agent API completion: a task ends once, and a malformed result changes nothing", () => {
  it("answers 400 to a success with a malformed result and keeps the task leased and its step running", async () => {
    const r = await call("POST", `/api/agent/v1/tasks/${claimed.id}/complete`, {
      token: token("trainer"),
      body: { status: "succeeded", result: { transfers: [{ transferId: claimed.payload.dataset.transferId, bytes: -5 }] } },
    });
    expect(r.status).toBe(400);
    expect(r.json?.error).toMatch(/stage_in/);
    const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: claimed.id } });
    expect(task.status).toBe("leased");
    expect((await counts(claimed.runId)).status).toBe("running");
  });

  it("accepts the first completion and answers 409 to the second", async () => {
    const first = await call("POST", `/api/agent/v1/tasks/${claimed.id}/complete`, {
      token: token("trainer"),
      body: { status: "failed", error: "disk full" },
    });
    expect(first.status, first.text).toBe(200);
    const logsAfterFirst = await stack.prisma.runLog.count({ where: { runId: claimed.runId } });
    const second = await call("POST", `/api/agent/v1/tasks/${claimed.id}/complete`, {
      token: token("trainer"),
      body: { status: "succeeded", result: { transfers: [] } },
    });
    expect(second.status).toBe(409);
    expect(second.json?.error).toMatch(/Task is failed/);
    const run = await stack.prisma.run.findUniqueOrThrow({ where: { id: claimed.runId } });
    expect(run.status).toBe("failed");
    expect(run.statusReason).toContain("disk full");
    expect(await stack.prisma.runLog.count({ where: { runId: claimed.runId } })).toBe(logsAfterFirst);
    // Events for an ended task are refused too.
    const late = await call("POST", `/api/agent/v1/tasks/${claimed.id}/events`, {
      token: token("trainer"),
      body: { events: [{ type: "metric", metric: { ...validMetric, epoch: 2 } }] },
    });
    expect(late.status).toBe(409);
    expect(await stack.prisma.runMetric.count({ where: { runId: claimed.runId, epoch: 2 } })).toBe(0);
  });
});

describe("a completion racing with lease expiry: a task that was declared lost stays lost", () => {
  it("refuses (409) events and a success that arrive while the sweeper marks the task lost, and writes nothing of them", async () => {
    // A second run gives the trainer a new stage-in task (the first run failed above, freeing the slot).
    const run = await launchInTest(stack, { epochs: 1, maxSamples: 100 });
    const next = await call("GET", "/api/agent/v1/tasks/next?wait=5", { token: token("trainer") });
    expect(next.status, next.text).toBe(200);
    const task = next.json as unknown as Claimed;
    expect(task.runId).toBe(run.id);

    // Play the sweeper with its own SQL, holding the task row while a report is in flight: the
    // dashboard reads the task as leased, then must not overwrite what the sweeper committed.
    const sweeper = new pg.Client({ connectionString: stack.databaseUrl });
    await sweeper.connect();
    try {
      // 1. An events batch: refused, and none of it written.
      const before = {
        logs: await stack.prisma.runLog.count({ where: { runId: run.id } }),
        metrics: await stack.prisma.runMetric.count({ where: { runId: run.id } }),
      };
      await sweeper.query("begin");
      await sweeper.query(`select id from "Task" where id = $1 for update`, [task.id]);
      const events = call("POST", `/api/agent/v1/tasks/${task.id}/events`, {
        token: token("trainer"),
        body: {
          events: [
            { type: "log", line: "late" },
            { type: "metric", metric: validMetric },
          ],
        },
      });
      await new Promise((r) => setTimeout(r, 1500));
      await sweeper.query(`update "Task" set status = 'lost', "endedAt" = now() where id = $1 and status = 'leased'`, [task.id]);
      await sweeper.query("commit");
      const refused = await events;
      expect(refused.status, refused.text).toBe(409);
      expect({
        logs: await stack.prisma.runLog.count({ where: { runId: run.id } }),
        metrics: await stack.prisma.runMetric.count({ where: { runId: run.id } }),
      }).toEqual(before);
      // (setup for the next case: the task leased again)
      await sweeper.query(`update "Task" set status = 'leased', "endedAt" = null where id = $1`, [task.id]);

      // 2. A completion.
      await sweeper.query("begin");
      await sweeper.query(`select id from "Task" where id = $1 for update`, [task.id]);
      const completion = call("POST", `/api/agent/v1/tasks/${task.id}/complete`, {
        token: token("trainer"),
        body: {
          status: "succeeded",
          result: { transfers: [{ transferId: task.payload.dataset.transferId, bytes: 1, seconds: 1, startupSeconds: 0, attempts: 1 }] },
        },
      });
      await new Promise((r) => setTimeout(r, 1500));
      const lost = await sweeper.query(`update "Task" set status = 'lost', "endedAt" = now() where id = $1 and status = 'leased'`, [
        task.id,
      ]);
      expect(lost.rowCount).toBe(1);
      await sweeper.query(
        `update "RunStep" set status = 'lost', "endedAt" = now(), error = 'lease expired (test)' where id = (select "stepId" from "Task" where id = $1)`,
        [task.id],
      );
      await sweeper.query("commit");
      const r = await completion;
      expect(r.status, r.text).toBe(409);
    } finally {
      await sweeper.end();
    }
    const after = await stack.prisma.task.findUniqueOrThrow({ where: { id: task.id }, include: { step: true } });
    expect([after.status, after.step.status]).toEqual(["lost", "lost"]);
    const transfer = await stack.prisma.transfer.findUniqueOrThrow({ where: { id: task.payload.dataset.transferId } });
    expect(transfer.status).not.toBe("succeeded");
  });
});
