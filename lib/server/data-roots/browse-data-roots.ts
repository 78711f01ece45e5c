import "server-only";
// The browse page: an experiment's data roots with their files as the edge agent last saw them.
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";

const MAX_FILES_PER_ROOT = 1000;

/** null when the actor may not see the experiment. */
export async function browseDataRoots({ actor, experimentId }: { actor: Actor; experimentId: string }) {
  const experiment = await prisma.experiment.findFirst({
    where: { id: experimentId, ...visibleExperimentsWhere(actor) },
    select: {
      id: true,
      name: true,
      dataRoots: {
        orderBy: { path: "asc" },
        select: {
          id: true,
          path: true,
          lastScannedAt: true,
          edgeHost: { select: { name: true } },
          _count: { select: { files: true } },
          files: {
            orderBy: { path: "asc" },
            take: MAX_FILES_PER_ROOT,
            select: {
              id: true,
              path: true,
              bytes: true,
              sha256: true,
              familyKey: true,
              kind: true,
              sampleCount: true,
              problem: true,
              reportedAt: true,
              dataset: { select: { id: true, name: true } },
            },
          },
        },
      },
    },
  });
  return experiment;
}
