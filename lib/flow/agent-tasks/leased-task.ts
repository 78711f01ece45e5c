// A task the dashboard still expects reports for: leased to the calling agent.
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";

export async function leasedTask(agent: AuthenticatedAgent, taskId: string) {
  const task = await prisma.task.findUnique({ where: { id: taskId }, include: { step: true } });
  // Another agent's task id gets the same answer as a made-up one.
  if (!task || task.agentId !== agent.id) throw new AppError("NOT_FOUND", "No such task for this agent.");
  if (task.status !== "leased") {
    throw new AppError("CONFLICT", `Task is ${task.status}: the dashboard no longer expects reports for it.`);
  }
  return task;
}

/**
 * Ends a task only if it is still leased, first thing in the transaction (so it holds the row): the
 * sweeper may have declared it lost since it was read, and a lost task stays lost.
 */
export async function endLeasedTask(tx: Prisma.TransactionClient, taskId: string, data: Prisma.TaskUpdateManyMutationInput) {
  const ended = await tx.task.updateMany({ where: { id: taskId, status: "leased" }, data });
  if (ended.count === 0) {
    const now = await tx.task.findUnique({ where: { id: taskId }, select: { status: true } });
    throw new AppError("CONFLICT", `Task is ${now?.status ?? "gone"}: the dashboard no longer expects reports for it.`);
  }
}

export type TaskRow = Awaited<ReturnType<typeof leasedTask>>;
