import "server-only";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { deactivateFamilyDeployments } from "@/lib/flow/register-model";
import { recordAudit } from "@/lib/audit/record-audit";

/**
 * Makes an earlier deployment of a model version active again on its edge host (one-click rollback).
 * The artifact is still on the edge host, verified when it was deployed; nothing is moved.
 */
export async function restoreDeployment({ actorId, deploymentId }: { actorId: string; deploymentId: string }) {
  const deployment = await prisma.deployment.findUnique({ where: { id: deploymentId }, include: { modelVersion: true } });
  if (!deployment) throw new AppError("NOT_FOUND", "No such deployment.");
  if (deployment.active) throw new AppError("CONFLICT", "That version is already the active deployment.");
  const now = new Date();
  await prisma.$transaction(async (tx) => {
    await deactivateFamilyDeployments(tx, deployment.modelVersion.familyId, deployment.edgeHostId, now);
    await tx.deployment.update({ where: { id: deploymentId }, data: { active: true, retiredAt: null, deployedAt: now } });
    await recordAudit(
      {
        actorUserId: actorId,
        action: "model.restore",
        targetType: "model-version",
        targetId: deployment.modelVersionId,
        detail: { version: deployment.modelVersion.version },
      },
      tx,
    );
  });
  return deployment.modelVersion;
}
