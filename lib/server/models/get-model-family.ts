import "server-only";
import { prisma } from "@/lib/db";

/** A family with every version, its lineage (parent, dataset, run) and where it is deployed. */
export async function getModelFamily({ key }: { key: string }) {
  return prisma.modelFamily.findUnique({
    where: { key },
    include: {
      versions: {
        orderBy: { version: "desc" },
        take: 200,
        include: {
          parent: { select: { version: true } },
          dataset: { select: { name: true } },
          experiment: { select: { id: true, name: true } },
          run: { select: { id: true, number: true, trainer: { select: { name: true } } } },
          deployments: { orderBy: { deployedAt: "desc" }, include: { edgeHost: { select: { name: true } } } },
        },
      },
    },
  });
}
