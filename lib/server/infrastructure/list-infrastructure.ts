import "server-only";
import { prisma } from "@/lib/db";

const agentSelect = {
  id: true,
  name: true,
  tokenPrefix: true,
  revokedAt: true,
  lastHeartbeatAt: true,
  version: true,
  dataPlaneUrl: true,
  createdAt: true,
};

/** Trainers with agent health, queue depth, running jobs and utilisation over the last 24 h. */
export async function listTrainers(now = new Date()) {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const [trainers, byStatus, busy] = await Promise.all([
    prisma.trainer.findMany({ orderBy: { name: "asc" }, include: { agents: { select: agentSelect, orderBy: { createdAt: "desc" } } } }),
    prisma.run.groupBy({ by: ["trainerId", "status"], where: { status: { in: ["queued", "running"] } }, _count: true }),
    prisma.runStep.findMany({
      where: { name: "train", startedAt: { not: null }, OR: [{ endedAt: null }, { endedAt: { gt: since } }] },
      select: { startedAt: true, endedAt: true, run: { select: { trainerId: true } } },
    }),
  ]);
  const items = trainers.map((t) => {
    const count = (status: string) => byStatus.find((g) => g.trainerId === t.id && g.status === status)?._count ?? 0;
    // Utilisation: training seconds in the last 24 h over the slots' available seconds.
    const trainingSeconds = busy
      .filter((s) => s.run.trainerId === t.id)
      .reduce((sum, s) => sum + ((s.endedAt ?? now).getTime() - Math.max(s.startedAt!.getTime(), since.getTime())) / 1000, 0);
    return { ...t, queued: count("queued"), running: count("running"), utilisation: trainingSeconds / (t.concurrency * 24 * 3600) };
  });
  return { trainers: items, checkedAtMs: now.getTime() };
}

export async function listEdgeHosts(now = new Date()) {
  const edgeHosts = await prisma.edgeHost.findMany({
    orderBy: { name: "asc" },
    include: {
      agents: { select: agentSelect, orderBy: { createdAt: "desc" } },
      deployments: {
        where: { active: true },
        include: { modelVersion: { select: { version: true, family: { select: { name: true } } } } },
      },
      // Versions the deploy gate held back that could still replace what is in service ("Deploy anyway").
      deployDecisions: {
        where: { heldBack: true, deployedAnywayAt: null, inServiceDeployment: { active: true } },
        select: { modelVersion: { select: { version: true, family: { select: { name: true } } } } },
      },
      _count: { select: { datasets: true } },
    },
  });
  return { edgeHosts, checkedAtMs: now.getTime() };
}
