import "server-only";
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { visibleVersionsWhere } from "@/lib/auth/visibility";

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
