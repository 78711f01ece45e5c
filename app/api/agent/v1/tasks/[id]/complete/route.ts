import { agentRoute, readJson } from "@/lib/agent-protocol/route";
import { completeTask } from "@/lib/flow/agent-tasks/complete";

export const dynamic = "force-dynamic";

export const POST = agentRoute<{ params: Promise<{ id: string }> }>(async (request, agent, { params }) => {
  const { id } = await params;
  await completeTask(agent, id, await readJson(request));
  return Response.json({ ok: true });
});
