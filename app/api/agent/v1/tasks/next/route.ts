import { agentRoute } from "@/lib/agent-protocol/route";
import { claimTask } from "@/lib/flow/agent-tasks/claim";

export const dynamic = "force-dynamic";

/** Long-poll: answers 200 with a task as soon as one is queued for this agent, or 204 after ?wait= seconds. */
export const GET = agentRoute(async (request, agent) => {
  const wait = Number(new URL(request.url).searchParams.get("wait") ?? 25);
  const task = await claimTask(agent, Number.isFinite(wait) ? Math.max(0, wait) : 25, request.signal);
  return task ? Response.json(task) : new Response(null, { status: 204 });
});
