// Wraps every agent API handler: bearer auth, a rate limit, a body size cap, strict JSON and schema
// checks, and errors as JSON with a specific message (agents log them; people read those logs).
import { z } from "zod";
import { AppError, isAppError } from "@/lib/errors";
import { authenticateAgent, type AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";
import { MAX_AGENT_BODY_BYTES } from "@/lib/agent-protocol/schemas";
import { createSharedRateLimiter } from "@/lib/security/shared-rate-limit";

// Generous: a busy agent sends a few requests a second; a runaway loop or a token-guessing client does not
// get through. Counted in PostgreSQL: the same budget whichever dashboard process an agent reaches.
const agentLimiter = createSharedRateLimiter("agent", Number(process.env.AGENT_RATE_LIMIT ?? 600), 60_000);

export function jsonError(error: unknown): Response {
  if (isAppError(error)) return Response.json({ error: error.message, code: error.code }, { status: error.status });
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    return Response.json(
      {
        error: `Invalid request: ${issue?.path.join(".") || "body"}: ${issue?.message}`,
        code: "INVALID_INPUT",
        issues: error.issues.slice(0, 10),
      },
      { status: 400 },
    );
  }
  console.error("[agent-api]", error);
  return Response.json({ error: "Internal error; the dashboard logged it.", code: "INTERNAL" }, { status: 500 });
}

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

export function agentRoute<C>(handler: (request: Request, agent: AuthenticatedAgent, context: C) => Promise<Response>) {
  return async (request: Request, context: C): Promise<Response> => {
    try {
      const key = request.headers.get("authorization")?.slice(-16) ?? request.headers.get("x-forwarded-for") ?? "anonymous";
      const wait = await agentLimiter.hit(key);
      if (wait > 0) {
        return Response.json(
          { error: `Rate limit exceeded; retry in ${wait}s.`, code: "RATE_LIMITED" },
          { status: 429, headers: { "retry-after": String(wait) } },
        );
      }
      const agent = await authenticateAgent(request.headers.get("authorization"));
      return await handler(request, agent, context);
    } catch (error) {
      return jsonError(error);
    }
  };
}
