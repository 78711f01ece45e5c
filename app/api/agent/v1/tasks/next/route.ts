import { agentRoute } from "@/lib/agent-protocol/route";
import { claimTask } from "@/lib/flow/agent-tasks/claim";

export const dynamic = "force-dynamic";

/**
 * Long-poll: answers 200 with a task as soon as one is queued for this agent (or, meanwhile, a request to stand a
 * Slurm job by: lib/flow/prepare-trainer.ts), or 204 after ?wait= seconds.
 */
export const GET = agentRoute(async (request, agent) => {
  const wait = Number(new URL(request.url).searchParams.get("wait") ?? 25);
  const work = await claimTask(agent, Number.isFinite(wait) ? Math.max(0, wait) : 25, request.signal);
  return work ? Response.json(work) : new Response(null, { status: 204 });
});
