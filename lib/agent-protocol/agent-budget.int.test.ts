// Issue 10 #11: heartbeats have a rate-limit budget nothing else can use up. Over HTTP against the built
// dashboard with a low general limit (so the test is short); the test plays the agent.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "@/testing/stack";

const GENERAL_LIMIT = 30;
let stack: Stack;
const seedDir = process.env.TEST_SEED_DIR ?? path.resolve(__dirname, "../../.data/test-seed");
const edgeToken = fs.readFileSync(path.join(seedDir, "agents", "edge.token"), "utf8").trim();

async function post(route: string, body: unknown): Promise<number> {
  const response = await fetch(`${stack.url}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${edgeToken}` },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  stack = await Stack.create({ name: "agent_budget", env: { AGENT_RATE_LIMIT: String(GENERAL_LIMIT) } });
  await stack.startWeb();
});
afterAll(async () => {
  await stack?.stop();
});

describe("agent API rate limits", () => {
  it("#11 a flood of other requests (bogus transfer tokens to authorise) does not push heartbeats into 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= GENERAL_LIMIT; i++)
      statuses.push(await post("/api/agent/v1/transfers/authorize", { token: `bogus-${i}-${"x".repeat(30)}` }));
    expect(statuses.at(-1)).toBe(429); // the general budget is spent...
    const beat = await post("/api/agent/v1/heartbeat", { version: "test", dataPlaneUrl: "http://127.0.0.1:9/", activeTaskIds: [] });
    expect(beat).toBe(200); // ...and the heartbeat still renews the leases
  });
});
