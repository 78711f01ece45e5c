// The data plane's question: may this token fetch this file from the asking agent?
import { prisma } from "@/lib/db";
import { hashSecret } from "@/lib/flow/tokens";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";

export async function authorizeTransfer(agent: AuthenticatedAgent, token: string) {
  const transfer = await prisma.transfer.findUnique({ where: { tokenHash: hashSecret(token) } });
  if (!transfer || transfer.sourceAgentId !== agent.id) return null;
  if (transfer.status === "succeeded" || transfer.status === "failed") return null; // one-time: spent
  if (transfer.tokenExpiresAt < new Date()) return null;
  // A token lives as long as its task: only while the receiving agent holds a task of this run.
  const receiving = await prisma.task.count({ where: { runId: transfer.runId ?? "", agentId: transfer.destAgentId, status: "leased" } });
  if (receiving === 0) return null;
  if (transfer.status === "pending") await prisma.transfer.update({ where: { id: transfer.id }, data: { status: "active" } });
  return { transferId: transfer.id, path: transfer.sourcePath, bytes: Number(transfer.bytes), sha256: transfer.sha256 };
}
