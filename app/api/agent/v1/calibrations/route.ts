import { agentRoute, readJson } from "@/lib/agent-protocol/route";
import { calibrationReport } from "@/lib/agent-protocol/schemas";
import { recordCalibration } from "@/lib/calibration/calibrations";

export const dynamic = "force-dynamic";

export const POST = agentRoute(async (request, agent) => {
  const body = calibrationReport.parse(await readJson(request));
  return Response.json(await recordCalibration(agent, body));
});
