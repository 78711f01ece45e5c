import "server-only";
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { can } from "@/lib/auth/permissions";

/** Prisma filter for the experiments an actor may see: staff see all, others their memberships. */
export function visibleExperimentsWhere(actor: Actor) {
  if (can(actor, "runs:view-all")) return {};
  return { OR: [{ piId: actor.id }, { members: { some: { userId: actor.id } } }] };
}

export async function listExperiments({ actor }: { actor: Actor }) {
  return prisma.experiment.findMany({
    where: visibleExperimentsWhere(actor),
    orderBy: { beamtimeStart: "desc" },
    select: {
      id: true,
      name: true,
      beamline: true,
      technique: true,
      beamtimeStart: true,
      beamtimeEnd: true,
      pi: { select: { name: true } },
      _count: { select: { datasets: true, runs: true, members: true } },
    },
  });
}
