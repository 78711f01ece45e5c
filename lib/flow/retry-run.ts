import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { advanceRun } from "@/lib/flow/advance-run";
import { retryFrom } from "@/lib/flow/plan";
import { planSteps } from "@/lib/flow/steps";
import { recordAudit } from "@/lib/audit/record-audit";

/** Resumes a failed, lost or canceled run from its first unfinished step, as a new attempt of that step. */
export async function retryRun({ actorId, runId }: { actorId: string; runId: string }) {
  const run = await prisma.run.findUnique({ where: { id: runId }, include: { steps: true, dataset: true } });
  if (!run) throw new AppError("NOT_FOUND", "No such run.");
  const from = retryFrom({
    status: run.status,
    cancelRequested: false,
    plan: planSteps({ needsLabelling: run.dataset.kind === "raw" }),
    steps: run.steps,
  });
  if (!from) throw new AppError("CONFLICT", `Only failed, lost or canceled runs can be retried; this one is ${run.status}.`);
  await prisma.$transaction(async (tx) => {
    const locked = await tx.run.updateMany({
      where: { id: runId, status: run.status },
      data: {
        status: from.step === "queue" ? "queued" : "running",
        statusReason: null,
        endedAt: null,
        cancelRequestedAt: null,
        endToEndSeconds: null,
        controlOverheadSeconds: null,
      },
    });
    if (locked.count === 0) throw new AppError("CONFLICT", "The run changed meanwhile; reload and try again.");
    await tx.runStep.create({ data: { runId, name: from.step, attempt: from.attempt, status: "pending" } });
    await tx.runLog.create({ data: { runId, source: "dashboard", line: `Retry from ${from.step} (attempt ${from.attempt}).` } });
    await recordAudit({ actorUserId: actorId, action: "run.retry", targetType: "run", targetId: runId, detail: from }, tx);
  });
  await advanceRun(runId);
  return from;
}
