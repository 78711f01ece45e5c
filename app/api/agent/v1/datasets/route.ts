import { agentRoute, readJson } from "@/lib/agent-protocol/route";
import { intakeFileReport } from "@/lib/agent-protocol/intake";
import { reportIntakeFile } from "@/lib/flow/agent-tasks/intake";

export const dynamic = "force-dynamic";

/** Edge intake: a closed file the agent found in a data root; a recognised one becomes a dataset. */
export const POST = agentRoute(async (request, agent) => {
  const body = intakeFileReport.parse(await readJson(request));
  return Response.json(await reportIntakeFile(agent, body));
});
