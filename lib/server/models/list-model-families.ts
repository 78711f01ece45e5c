import "server-only";
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { visibleExperimentsWhere } from "@/lib/server/experiments/list-experiments";
import { visibleVersionsWhere } from "@/lib/server/models/visible-versions";

/** Every family (they are shared definitions), with counts of the versions and runs the actor may see. */
export async function listModelFamilies({ actor }: { actor: Actor }) {
  return prisma.modelFamily.findMany({
    orderBy: { name: "asc" },
    include: {
      _count: {
        select: {
          versions: { where: visibleVersionsWhere(actor) },
          runs: { where: { experiment: visibleExperimentsWhere(actor) } },
        },
      },
    },
  });
}
