import { agentRoute, readJson } from "@/lib/agent-protocol/route";
import { heartbeatRequest } from "@/lib/agent-protocol/schemas";
import { heartbeat } from "@/lib/flow/agent-tasks/heartbeat";

export const dynamic = "force-dynamic";

export const POST = agentRoute(
  async (request, agent) => {
    const body = heartbeatRequest.parse(await readJson(request));
    return Response.json(await heartbeat(agent, body));
  },
  { budget: "heartbeat" },
);
