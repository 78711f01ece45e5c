import "server-only";
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import { visibleVersionsWhere } from "@/lib/auth/visibility";

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
