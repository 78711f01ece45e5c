"use server";

import { prisma } from "@/lib/db";
import { requirePermission, requireUser } from "@/lib/auth/session";
import { failure, type ActionState } from "@/lib/actions/action-state";
import { AppError } from "@/lib/errors";
import { cancelRun } from "@/lib/flow/cancel-run";

export async function cancelRunAction(runId: string): Promise<ActionState> {
  try {
    const user = await requireUser();
    const run = await prisma.run.findUnique({ where: { id: String(runId) }, select: { experimentId: true } });
    if (!run) throw new AppError("NOT_FOUND", "No such run.");
    await requirePermission(user, "run:cancel", run.experimentId);
    await cancelRun({ actorId: user.id, runId: String(runId) });
    return { ok: true, message: "Cancel requested: the agent stops the job at the next batch." };
  } catch (error) {
    return failure(error);
  }
}
