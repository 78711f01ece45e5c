import "server-only";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { deactivateFamilyDeployments } from "@/lib/flow/register-model";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * Puts a held-back version in service at a person's request: a Deployment from the checkpoint the edge
 * verified in the run's deploy step (the decision's path, whose sha256 is the trained artifact's), in
 * place of the deployment that was in service when the version was held back.
 *
 * Refused when the version was never held back (no verified file on the edge from a deploy step: seeded or
 * older versions, or ones already deployed by their run), and when another deployment went into service
 * since (a later run, a restore, another Deploy anyway): the figures the person saw compared with a model
 * that is no longer the one to be replaced. Asking again for a version already put in service this way
 * answers as done (idempotent).
 */
export async function deployAnyway({ actorId, modelVersionId }: { actorId: string; modelVersionId: string }) {
  const found = await prisma.modelVersion.findUnique({ where: { id: modelVersionId }, select: { familyId: true } });
  if (!found) throw new AppError("NOT_FOUND", "No such model version.");
  return prisma.$transaction(async (tx) => {
    // The family row lock that deploy and restore take: one change of service per family at a time.
    await tx.$queryRaw`select id from "ModelFamily" where id = ${found.familyId} for update`;
    const version = await tx.modelVersion.findUniqueOrThrow({
      where: { id: modelVersionId },
      include: { deployDecision: { include: { edgeHost: { select: { name: true } } } }, deployments: { where: { active: true } } },
    });
    const decision = version.deployDecision;
    if (!decision?.heldBack) throw new AppError("CONFLICT", `v${version.version} was not held back: there is nothing to deploy anyway.`);
    if (decision.sha256 !== version.artifactSha256) {
      throw new AppError("CONFLICT", `v${version.version}'s checkpoint on ${decision.edgeHost.name} is not the one trained.`);
    }
    const where = { edgeHostId: decision.edgeHostId, familyId: version.familyId, experimentId: version.experimentId };
    const inService = await tx.deployment.findFirst({ where: { ...where, active: true }, include: { modelVersion: true } });
    if (decision.deployedAnywayAt) {
      if (inService?.modelVersionId === version.id) return { version, message: `v${version.version} is already in service.` };
      throw new AppError("CONFLICT", `v${version.version} was deployed anyway and since replaced: restore it from the model page.`);
    }
    if ((inService?.id ?? null) !== decision.inServiceDeploymentId) {
      const now = inService ? `v${inService.modelVersion.version} went into service` : "the model it was compared with left service";
      throw new AppError(
        "CONFLICT",
        `${now} on ${decision.edgeHost.name} after v${version.version} was held back: the comparison no longer holds. Retrain to compare again.`,
      );
    }
    const now = new Date();
    await deactivateFamilyDeployments(tx, where, now);
    await tx.deployment.create({
      data: {
        ...where,
        modelVersionId: version.id,
        path: decision.path,
        validation: decision.validation as Prisma.InputJsonValue,
        deployedAt: now,
      },
    });
    await tx.deployDecision.update({ where: { id: decision.id }, data: { deployedAnywayAt: now } });
    await recordAudit(
      {
        actorUserId: actorId,
        action: "model.deploy_anyway",
        targetType: "model-version",
        targetId: version.id,
        detail: {
          version: version.version,
          replacedVersion: inService?.modelVersion.version ?? null,
          metric: decision.metric,
          newValue: decision.newValue,
          inServiceValue: decision.inServiceValue,
        },
      },
      tx,
    );
    return { version, message: `v${version.version} is in service on ${decision.edgeHost.name}.` };
  });
}
