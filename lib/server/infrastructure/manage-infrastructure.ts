import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { z } from "zod";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newSecret } from "@/lib/flow/tokens";
import { agentCredential } from "@/lib/agent-protocol/grant-seal";
import { recordAudit } from "@/lib/audit/record-audit";
import type { ParallelShape } from "@/lib/agent-protocol/parallel";
import type { createEdgeHostInput, createTrainerInput, issueTokenInput } from "@/lib/infrastructure/infrastructure-input";

function uniqueName<T>(promise: Promise<T>, what: string): Promise<T> {
  return promise.catch((error) => {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", `A ${what} of that name exists.`, { name: ["Already taken."] });
    }
    throw error;
  });
}

/** A trainer's fields; an unstated parallel shape is one process per run. */
type TrainerInput = Omit<z.infer<typeof createTrainerInput>, keyof ParallelShape> & Partial<ParallelShape>;

export async function createTrainer({ actorId, input }: { actorId: string; input: TrainerInput }) {
  const trainer = await uniqueName(prisma.trainer.create({ data: input }), "trainer");
  await recordAudit({ actorUserId: actorId, action: "trainer.create", targetType: "trainer", targetId: trainer.id, detail: input });
  return trainer;
}

export async function createEdgeHost({ actorId, input }: { actorId: string; input: z.infer<typeof createEdgeHostInput> }) {
  const edgeHost = await uniqueName(prisma.edgeHost.create({ data: input }), "edge host");
  await recordAudit({ actorUserId: actorId, action: "edge-host.create", targetType: "edge-host", targetId: edgeHost.id, detail: input });
  return edgeHost;
}

/**
 * Issues an agent token; only its hash is stored, so the credential (token and seal key, lib/agent-protocol/grant-seal.ts)
 * is returned exactly once.
 */
export async function issueAgentToken({ actorId, input }: { actorId: string; input: z.infer<typeof issueTokenInput> }) {
  const target =
    input.kind === "trainer"
      ? await prisma.trainer.findUnique({ where: { id: input.targetId }, select: { id: true } })
      : await prisma.edgeHost.findUnique({ where: { id: input.targetId }, select: { id: true } });
  if (!target) throw new AppError("NOT_FOUND", `No such ${input.kind === "trainer" ? "trainer" : "edge host"}.`);
  const secret = newSecret("brt");
  const agent = await prisma.agent.create({
    data: {
      name: input.name,
      kind: input.kind,
      trainerId: input.kind === "trainer" ? target.id : null,
      edgeHostId: input.kind === "edge" ? target.id : null,
      tokenHash: secret.hash,
      tokenPrefix: secret.display,
    },
  });
  await recordAudit({
    actorUserId: actorId,
    action: "agent-token.issue",
    targetType: "agent",
    targetId: agent.id,
    detail: { name: input.name, kind: input.kind },
  });
  return { agent, token: agentCredential(secret.token, agent.id) };
}

export async function revokeAgentToken({ actorId, agentId }: { actorId: string; agentId: string }) {
  const agent = await prisma.agent.findUnique({ where: { id: agentId } });
  if (!agent) throw new AppError("NOT_FOUND", "No such agent.");
  if (agent.revokedAt) return agent;
  const revoked = await prisma.agent.update({ where: { id: agentId }, data: { revokedAt: new Date() } });
  await recordAudit({
    actorUserId: actorId,
    action: "agent-token.revoke",
    targetType: "agent",
    targetId: agentId,
    detail: { name: agent.name },
  });
  return revoked;
}
