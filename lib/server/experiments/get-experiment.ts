import "server-only";
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";

/** The experiment with its datasets, model versions and recent runs, or null when the actor may not see it. */
export async function getExperiment({ actor, experimentId }: { actor: Actor; experimentId: string }) {
  return prisma.experiment.findFirst({
    where: { id: experimentId, ...visibleExperimentsWhere(actor) },
    include: {
      pi: { select: { id: true, name: true } },
      members: { include: { user: { select: { id: true, name: true, role: true } } } },
      datasets: { orderBy: { createdAt: "desc" }, include: { edgeHost: { select: { name: true } } } },
      modelVersions: {
        orderBy: { createdAt: "desc" },
        take: 50,
        include: {
          family: { select: { key: true, name: true } },
          parent: { select: { version: true } },
          deployments: { where: { active: true }, include: { edgeHost: { select: { name: true } } } },
          deployDecision: { select: { heldBack: true, reason: true, deployedAnywayAt: true } },
        },
      },
      runs: {
        orderBy: { createdAt: "desc" },
        take: 25,
        include: {
          trainer: { select: { name: true } },
          family: { select: { name: true } },
          dataset: { select: { name: true } },
          createdBy: { select: { name: true } },
        },
      },
    },
  });
}
