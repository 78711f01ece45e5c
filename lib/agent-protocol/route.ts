// Wraps every agent API handler: bearer auth, a rate limit, a body size cap, strict JSON and schema
// checks, and errors as JSON with a specific message (agents log them; people read those logs).
import { AppError } from "@/lib/errors";
import { withRouteErrors } from "@/lib/route-errors";
import { authenticateAgent, type AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";
import { MAX_AGENT_BODY_BYTES } from "@/lib/agent-protocol/schemas";
import { createSharedRateLimiter, type SharedRateLimiter } from "@/lib/security/shared-rate-limit";

/** Rate-limit budgets of the agent API, each counted on its own, in PostgreSQL: the same budget whichever
 * dashboard process an agent reaches. */
export type AgentBudget = "api" | "heartbeat";
const limiters: Record<AgentBudget, SharedRateLimiter> = {
  // Generous: a busy agent sends a few requests a second; a runaway loop or a token-guessing client does not get through.
  api: createSharedRateLimiter("agent", Number(process.env.AGENT_RATE_LIMIT ?? 600), 60_000),
  // Heartbeats renew every lease the agent holds: a budget of their own, so that nothing else the agent
  // sends (progress, authorising other agents' transfer requests) can push them into 429 and its runs into `lost`.
  heartbeat: createSharedRateLimiter("agent-heartbeat", Number(process.env.AGENT_HEARTBEAT_RATE_LIMIT ?? 120), 60_000),
};

export async function readJson(request: Request): Promise<unknown> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_AGENT_BODY_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `Body over ${MAX_AGENT_BODY_BYTES} bytes.`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_AGENT_BODY_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `Body over ${MAX_AGENT_BODY_BYTES} bytes.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("INVALID_INPUT", "Body is not valid JSON.");
  }
}

export function agentRoute<C>(
  handler: (request: Request, agent: AuthenticatedAgent, context: C) => Promise<Response>,
  { budget = "api" }: { budget?: AgentBudget } = {},
) {
  return withRouteErrors(async (request: Request, context: C): Promise<Response> => {
    const key = request.headers.get("authorization")?.slice(-16) ?? request.headers.get("x-forwarded-for") ?? "anonymous";
    // Both at once (one database round trip less on every agent request); the limit is still answered first.
    const [counted, authenticated] = await Promise.allSettled([
      limiters[budget].hit(key),
      authenticateAgent(request.headers.get("authorization")),
    ]);
    if (counted.status === "rejected") throw counted.reason;
    const wait = counted.value;
    if (wait > 0) throw new AppError("RATE_LIMITED", `Rate limit exceeded; retry in ${wait}s.`, undefined, wait);
    if (authenticated.status === "rejected") throw authenticated.reason;
    return await handler(request, authenticated.value, context);
  });
}
