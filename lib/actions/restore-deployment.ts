"use server";

import { revalidatePath } from "next/cache";
import { prisma } from "@/lib/db";
import { requirePermission, requireUser } from "@/lib/auth/session";
import { failure, type ActionState } from "@/lib/actions/action-state";
import { AppError } from "@/lib/errors";
import { restoreDeployment } from "@/lib/server/models/restore-deployment";

export async function restoreDeploymentAction(deploymentId: string): Promise<ActionState> {
  try {
    const user = await requireUser();
    const deployment = await prisma.deployment.findUnique({
      where: { id: String(deploymentId) },
      select: { modelVersion: { select: { experimentId: true } } },
    });
    if (!deployment) throw new AppError("NOT_FOUND", "No such deployment.");
    const experimentId = deployment.modelVersion.experimentId;
    if (experimentId) await requirePermission(user, "model:restore", experimentId);
    else await requirePermission(user, "infrastructure:manage");
    const version = await restoreDeployment({ actorId: user.id, deploymentId: String(deploymentId) });
    revalidatePath("/models", "layout");
    return { ok: true, message: `v${version.version} is the active deployment again.` };
  } catch (error) {
    return failure(error);
  }
}
