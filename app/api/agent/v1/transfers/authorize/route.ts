import { AppError } from "@/lib/errors";
import { agentRoute, readJson } from "@/lib/agent-protocol/route";
import { authorizeTransferRequest } from "@/lib/agent-protocol/schemas";
import { authorizeTransfer } from "@/lib/flow/agent-tasks/authorize-transfer";

export const dynamic = "force-dynamic";

/** A source agent asks whether a transfer token presented to its data plane is valid, and for what file. */
export const POST = agentRoute(async (request, agent) => {
  const { token } = authorizeTransferRequest.parse(await readJson(request));
  const grant = await authorizeTransfer(agent, token);
  if (!grant) throw new AppError("FORBIDDEN", "Token unknown, spent, expired or not yours.");
  return Response.json(grant);
});
