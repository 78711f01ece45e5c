import { agentRoute, readJson } from "@/lib/agent-protocol/route";
import { spotCheckReport } from "@/lib/agent-protocol/spot-checks";
import { recordSpotCheck } from "@/lib/flow/agent-tasks/spot-checks";

export const dynamic = "force-dynamic";

export const POST = agentRoute(async (request, agent) => {
  const body = spotCheckReport.parse(await readJson(request));
  const stored = await recordSpotCheck(agent, body);
  return Response.json(stored, { status: stored.created ? 201 : 200 });
});
