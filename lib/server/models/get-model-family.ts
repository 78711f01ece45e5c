import "server-only";
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { visibleVersionsWhere } from "@/lib/auth/visibility";

/** A family with the versions the actor may see, their lineage (parent, dataset, run) and where they are deployed. */
export async function getModelFamily({ key, actor }: { key: string; actor: Actor }) {
  return prisma.modelFamily.findUnique({
    where: { key },
    include: {
      versions: {
        where: visibleVersionsWhere(actor),
        orderBy: { version: "desc" },
        take: 200,
        include: {
          parent: { select: { version: true } },
          dataset: { select: { name: true } },
          experiment: { select: { id: true, name: true } },
          run: { select: { id: true, number: true, trainer: { select: { name: true } } } },
          deployments: { orderBy: { deployedAt: "desc" }, include: { edgeHost: { select: { name: true } } } },
          deployDecision: { select: { heldBack: true, reason: true, deployedAnywayAt: true, edgeHost: { select: { name: true } } } },
        },
      },
    },
  });
}
