"use server";

import { revalidatePath } from "next/cache";
import { prisma } from "@/lib/db";
import { recordAction } from "@/lib/actions/define-action";
import { AppError } from "@/lib/errors";
import { restoreDeployment } from "@/lib/server/models/restore-deployment";

export const restoreDeploymentAction = recordAction(async ({ user, input: deploymentId, authorize }) => {
  const deployment = await prisma.deployment.findUnique({
    where: { id: deploymentId },
    select: { modelVersion: { select: { experimentId: true } } },
  });
  if (!deployment) throw new AppError("NOT_FOUND", "No such deployment.");
  const experimentId = deployment.modelVersion.experimentId;
  if (experimentId) await authorize("model:restore", experimentId);
  else await authorize("infrastructure:manage");
  const version = await restoreDeployment({ actorId: user.id, deploymentId });
  revalidatePath("/models", "layout");
  return { ok: true, message: `v${version.version} is the active deployment again.` };
});
