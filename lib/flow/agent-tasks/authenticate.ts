// Who is calling the agent API: a bearer token resolved to its agent.
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { hashSecret } from "@/lib/flow/tokens";
import { splitCredential } from "@/lib/agent-protocol/grant-seal";

export interface AuthenticatedAgent {
  id: string;
  name: string;
  kind: "trainer" | "edge";
  /** the edge host an edge agent runs on (null for a trainer agent) */
  edgeHostId: string | null;
  /** the trainer a trainer agent serves (null for an edge agent) */
  trainerId: string | null;
}

/** Resolves a bearer token to its agent; revoked and unknown tokens are refused alike. */
export async function authenticateAgent(authorization: string | null): Promise<AuthenticatedAgent> {
  // A whole credential sent as the bearer (a script pasting what staff were given) names its token too.
  const bearer = authorization?.match(/^Bearer (\S{20,200})$/)?.[1];
  const token = bearer && splitCredential(bearer).token;
  if (!token) throw new AppError("UNAUTHENTICATED", "Send the agent token as 'Authorization: Bearer <token>'.");
  const agent = await prisma.agent.findUnique({ where: { tokenHash: hashSecret(token) } });
  if (!agent) throw new AppError("UNAUTHENTICATED", "Unknown agent token.");
  if (agent.revokedAt) throw new AppError("UNAUTHENTICATED", "This agent token was revoked; ask staff for a new one.");
  return { id: agent.id, name: agent.name, kind: agent.kind, edgeHostId: agent.edgeHostId, trainerId: agent.trainerId };
}
