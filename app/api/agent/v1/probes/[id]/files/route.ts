import { agentRoute, readJson } from "@/lib/agent-protocol/route";
import { id } from "@/lib/agent-protocol/primitives";
import { probeFilesReport } from "@/lib/agent-protocol/probes";
import { recordProbeFiles } from "@/lib/calibration/probes";

export const dynamic = "force-dynamic";

/** An agent on a probed route offers its probe files; the answer is its next part in the probe. */
export const POST = agentRoute<{ params: Promise<{ id: string }> }>(async (request, agent, { params }) => {
  const probeId = id.parse((await params).id);
  const body = probeFilesReport.parse(await readJson(request));
  return Response.json(await recordProbeFiles(agent, probeId, body));
});
