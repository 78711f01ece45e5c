import { agentRoute, readJson } from "@/lib/agent-protocol/route";
import { taskEventsRequest } from "@/lib/agent-protocol/schemas";
import { recordTaskEvents } from "@/lib/flow/agent-tasks/events";

export const dynamic = "force-dynamic";

export const POST = agentRoute<{ params: Promise<{ id: string }> }>(async (request, agent, { params }) => {
  const { id } = await params;
  await recordTaskEvents(agent, id, taskEventsRequest.parse(await readJson(request)));
  return Response.json({ ok: true });
});
