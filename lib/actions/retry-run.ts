"use server";

import { prisma } from "@/lib/db";
import { recordAction } from "@/lib/actions/define-action";
import { AppError } from "@/lib/errors";
import { retryRun } from "@/lib/flow/retry-run";
import { stepLabel } from "@/lib/flow/steps";

export const retryRunAction = recordAction(async ({ user, input: runId, authorize }) => {
  const run = await prisma.run.findUnique({ where: { id: runId }, select: { experimentId: true } });
  if (!run) throw new AppError("NOT_FOUND", "No such run.");
  await authorize("run:retry", run.experimentId);
  const from = await retryRun({ actorId: user.id, runId });
  return { ok: true, message: `Retrying from ${stepLabel(from.step)} (attempt ${from.attempt}).` };
});
