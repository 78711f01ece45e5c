import { agentRoute, readJson } from "@/lib/agent-protocol/route";
import { id } from "@/lib/agent-protocol/primitives";
import { probeResultsReport } from "@/lib/agent-protocol/probes";
import { recordProbeResults } from "@/lib/calibration/probes";

export const dynamic = "force-dynamic";

/** An agent reports the probe transfers it fetched, or why it stopped. */
export const POST = agentRoute<{ params: Promise<{ id: string }> }>(async (request, agent, { params }) => {
  const probeId = id.parse((await params).id);
  const body = probeResultsReport.parse(await readJson(request));
  return Response.json(await recordProbeResults(agent, probeId, body));
});
