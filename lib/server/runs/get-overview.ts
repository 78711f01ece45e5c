import "server-only";
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { listExperiments } from "@/lib/server/experiments/list-experiments";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import { listRuns } from "@/lib/server/runs/list-runs";

const ACTIVE = { status: { in: ["queued" as const, "running" as const] } };
const ACTIVE_SHOWN = 5;
const RECENT_SHOWN = 10;

/** The overview: active runs counted over every run the actor may see (not one page), recent runs, experiments. */
export async function getOverview({ actor }: { actor: Actor }) {
  const where = { ...ACTIVE, experiment: visibleExperimentsWhere(actor) };
  const [activeCount, active, recent, experiments] = await Promise.all([
    prisma.run.count({ where }),
    prisma.run.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: ACTIVE_SHOWN,
      select: { id: true, number: true, status: true, family: { select: { name: true } }, trainer: { select: { name: true } } },
    }),
    listRuns({ actor, filters: { page: 1 } }),
    listExperiments({ actor }),
  ]);
  return {
    activeCount,
    active,
    recent: recent.runs.slice(0, RECENT_SHOWN),
    experiments: experiments.slice(0, 6).map((e) => ({ id: e.id, name: e.name, beamline: e.beamline })),
  };
}
