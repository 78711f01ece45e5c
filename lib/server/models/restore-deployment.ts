import "server-only";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { deactivateFamilyDeployments } from "@/lib/flow/register-model";
import { recordAudit } from "@/lib/audit/record-audit";

/**
 * Makes an earlier deployment of a model version active again on its edge host (one-click rollback), in
 * place of the one active for the same family and experiment there; other experiments' deployments on a
 * shared edge host are left alone. The artifact is still on the edge host, verified when it was deployed.
 */
export async function restoreDeployment({ actorId, deploymentId }: { actorId: string; deploymentId: string }) {
  const found = await prisma.deployment.findUnique({ where: { id: deploymentId }, select: { familyId: true } });
  if (!found) throw new AppError("NOT_FOUND", "No such deployment.");
  return prisma.$transaction(async (tx) => {
    // The family row lock that deploy takes (registerDeployedModel): restores and deploys of a family
    // apply one at a time, and the partial unique index Deployment_one_active backs this up.
    await tx.$queryRaw`select id from "ModelFamily" where id = ${found.familyId} for update`;
    const deployment = await tx.deployment.findUniqueOrThrow({ where: { id: deploymentId }, include: { modelVersion: true } });
    if (deployment.active) throw new AppError("CONFLICT", "That version is already the active deployment.");
    const now = new Date();
    await deactivateFamilyDeployments(tx, deployment, now);
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
    return deployment.modelVersion;
  });
}
