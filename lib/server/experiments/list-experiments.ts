import "server-only";
import { prisma } from "@/lib/db";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import type { Actor } from "@/lib/auth/permissions";

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
