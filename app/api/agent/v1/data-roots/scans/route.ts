import { agentRoute, readJson } from "@/lib/agent-protocol/route";
import { intakeScanReport } from "@/lib/agent-protocol/intake";
import { recordIntakeScan } from "@/lib/flow/agent-tasks/intake";

export const dynamic = "force-dynamic";

/** Edge intake: the files in each data root at the agent's latest scan. */
export const POST = agentRoute(async (request, agent) => {
  const body = intakeScanReport.parse(await readJson(request));
  return Response.json(await recordIntakeScan(agent, body));
});
