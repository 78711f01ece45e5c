import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { can, type Actor } from "@/lib/auth/permissions";
import { visibleExperimentsWhere } from "@/lib/server/experiments/list-experiments";

/** Prisma filter for the model versions an actor may see: staff all, others those of their experiments. */
export function visibleVersionsWhere(actor: Actor): Prisma.ModelVersionWhereInput {
  if (can(actor, "runs:view-all")) return {};
  return { experiment: visibleExperimentsWhere(actor) };
}

/** Deployed versions the actor may fine-tune from (the Retrain dialog's "parent" choices). */
export async function listParentCandidates({ actor }: { actor: Actor }) {
  const versions = await prisma.modelVersion.findMany({
    orderBy: { createdAt: "desc" },
    take: 50,
    where: { deployments: { some: { active: true } }, ...visibleVersionsWhere(actor) },
    select: { id: true, version: true, family: { select: { key: true, name: true } }, experiment: { select: { name: true } } },
  });
  return versions.map((v) => ({
    id: v.id,
    familyKey: v.family.key,
    label: `${v.family.name} v${v.version} (deployed${v.experiment ? `, ${v.experiment.name}` : ""})`,
  }));
}
