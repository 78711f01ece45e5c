import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { advanceRun } from "@/lib/flow/advance-run";
import { recordAudit } from "@/lib/audit/record-audit";
import { TERMINAL_RUN } from "@/lib/flow/plan";

/** Asks a run to stop: a task not yet picked up is dropped; a running one is stopped by its agent. */
export async function cancelRun({ actorId, runId }: { actorId: string; runId: string }) {
  const run = await prisma.run.findUnique({ where: { id: runId } });
  if (!run) throw new AppError("NOT_FOUND", "No such run.");
  if (TERMINAL_RUN.has(run.status)) throw new AppError("CONFLICT", `The run already ended (${run.status}).`);
  const now = new Date();
  await prisma.$transaction(async (tx) => {
    await tx.run.update({ where: { id: runId }, data: { cancelRequestedAt: run.cancelRequestedAt ?? now } });
    const pending = await tx.task.findMany({ where: { runId, status: "pending" }, select: { id: true, stepId: true } });
    await tx.task.updateMany({ where: { id: { in: pending.map((t) => t.id) } }, data: { status: "canceled", endedAt: now } });
    await tx.runStep.updateMany({ where: { id: { in: pending.map((t) => t.stepId) } }, data: { status: "canceled", endedAt: now } });
    await recordAudit({ actorUserId: actorId, action: "run.cancel", targetType: "run", targetId: runId }, tx);
  });
  await advanceRun(runId);
}
