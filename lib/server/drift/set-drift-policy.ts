import "server-only";
import type { z } from "zod";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/permissions";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import { mayEditDriftPolicy, type driftPolicyInput } from "@/lib/drift/policy";
import { recordAudit } from "@/lib/audit/record-audit";

/** Sets an experiment's drift policy for one family: staff or the experiment's PI only. */
export async function setDriftPolicy({ actor, input }: { actor: Actor; input: z.output<typeof driftPolicyInput> }) {
  const experiment = await prisma.experiment.findFirst({
    where: { id: input.experimentId, ...visibleExperimentsWhere(actor) },
    select: { id: true, piId: true },
  });
  // An experiment the actor cannot see is refused exactly like one that does not exist.
  if (!experiment) throw new AppError("NOT_FOUND", "No such experiment.");
  if (!mayEditDriftPolicy(actor, experiment)) {
    throw new AppError("FORBIDDEN", "Only facility staff and the experiment's PI set its drift threshold.");
  }
  const family = await prisma.modelFamily.findUniqueOrThrow({ where: { key: input.familyKey }, select: { id: true } });
  const values = { threshold: input.threshold, fraction: input.fractionPercent / 100, updatedById: actor.id };
  return prisma.$transaction(async (tx) => {
    const policy = await tx.driftPolicy.upsert({
      where: { experimentId_familyId: { experimentId: experiment.id, familyId: family.id } },
      create: { experimentId: experiment.id, familyId: family.id, ...values },
      update: values,
    });
    await recordAudit(
      {
        actorUserId: actor.id,
        action: "drift-policy.set",
        targetType: "experiment",
        targetId: experiment.id,
        detail: { family: input.familyKey, threshold: values.threshold, fraction: values.fraction },
      },
      tx,
    );
    return policy;
  });
}
