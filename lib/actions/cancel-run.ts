"use server";

import { prisma } from "@/lib/db";
import { recordAction } from "@/lib/actions/define-action";
import { AppError } from "@/lib/errors";
import { cancelRun } from "@/lib/flow/cancel-run";

export const cancelRunAction = recordAction(async ({ user, input: runId, authorize }) => {
  const run = await prisma.run.findUnique({ where: { id: runId }, select: { experimentId: true } });
  if (!run) throw new AppError("NOT_FOUND", "No such run.");
  await authorize("run:cancel", run.experimentId);
  await cancelRun({ actorId: user.id, runId });
  return { ok: true, message: "Cancel requested: the agent stops the job at the next batch." };
});
