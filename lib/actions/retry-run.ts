"use server";

import { prisma } from "@/lib/db";
import { requirePermission, requireUser } from "@/lib/auth/session";
import { failure, type ActionState } from "@/lib/actions/action-state";
import { AppError } from "@/lib/errors";
import { retryRun } from "@/lib/flow/retry-run";
import { stepLabel } from "@/lib/flow/steps";

export async function retryRunAction(runId: string): Promise<ActionState> {
  try {
    const user = await requireUser();
    const run = await prisma.run.findUnique({ where: { id: String(runId) }, select: { experimentId: true } });
    if (!run) throw new AppError("NOT_FOUND", "No such run.");
    await requirePermission(user, "run:retry", run.experimentId);
    const from = await retryRun({ actorId: user.id, runId: String(runId) });
    return { ok: true, message: `Retrying from ${stepLabel(from.step)} (attempt ${from.attempt}).` };
  } catch (error) {
    return failure(error);
  }
}
