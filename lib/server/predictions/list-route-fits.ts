// The data plane's fitted T = x/v + S per route (edge host ⇄ trainer), as the predictions use it, for the
// trainers page: rate, start-up, how many transfers (probes or runs) and when they were made.
import "server-only";
import { prisma } from "@/lib/db";
import { fitTransfer } from "@/lib/cost-model/fit";
import { listTransferRecords } from "@/lib/server/predictions/list-transfer-records";

export interface RouteFit {
  route: string;
  direction: "stage-in" | "stage-out";
  /** Bytes/s and seconds; null while nothing has been recorded on the route (the paper's 1 GB/s is assumed). */
  bytesPerSecond: number | null;
  startupSeconds: number | null;
  transfers: number;
  probes: number;
  /** The newest transfer in the fit, ISO. */
  at: string | null;
  note: string;
}

/** Per trainer id, both directions to every edge host. */
export async function listRouteFits(): Promise<Record<string, RouteFit[]>> {
  const [trainers, edges] = await Promise.all([
    prisma.trainer.findMany({ select: { id: true, name: true, agents: { where: { revokedAt: null }, select: { id: true } } } }),
    prisma.edgeHost.findMany({
      orderBy: { name: "asc" },
      select: { name: true, agents: { where: { revokedAt: null }, select: { id: true } } },
    }),
  ]);
  const byTrainer: Record<string, RouteFit[]> = {};
  for (const trainer of trainers) {
    const trainerAgents = trainer.agents.map((a) => a.id);
    const rows: RouteFit[] = [];
    for (const edge of edges) {
      const edgeAgents = edge.agents.map((a) => a.id);
      const directions = [
        ["stage-in", `${edge.name} → ${trainer.name}`, edgeAgents, trainerAgents],
        ["stage-out", `${trainer.name} → ${edge.name}`, trainerAgents, edgeAgents],
      ] as const;
      for (const [direction, route, from, to] of directions) {
        const records = await listTransferRecords([...from], [...to]);
        const fit = fitTransfer(records, route);
        const measured = fit.basis.source === "measured";
        rows.push({
          route,
          direction,
          bytesPerSecond: measured ? fit.bytesPerSecond.value : null,
          startupSeconds: measured ? fit.startupSeconds.value : null,
          transfers: records.length,
          probes: records.filter((r) => r.probe).length,
          at: records[0]?.at.toISOString() ?? null,
          note: fit.basis.note,
        });
      }
    }
    byTrainer[trainer.id] = rows;
  }
  return byTrainer;
}
