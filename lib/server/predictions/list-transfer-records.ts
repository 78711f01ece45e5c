import "server-only";
import { prisma } from "@/lib/db";

/**
 * Recorded transfers from any of `sourceAgentIds` to any of `destAgentIds`, newest first, for T = x/v + S fits:
 * runs' transfers and data-plane probes' (lib/calibration/probes.ts) alike, each saying which it was.
 */
export async function listTransferRecords(sourceAgentIds: string[], destAgentIds: string[], limit = 200) {
  if (!sourceAgentIds.length || !destAgentIds.length) return [];
  const rows = await prisma.transfer.findMany({
    where: { status: "succeeded", sourceAgentId: { in: sourceAgentIds }, destAgentId: { in: destAgentIds }, seconds: { not: null } },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: { bytes: true, files: true, seconds: true, probeId: true, createdAt: true },
  });
  return rows.map((r) => ({ bytes: Number(r.bytes), files: r.files, seconds: r.seconds ?? 0, probe: r.probeId !== null, at: r.createdAt }));
}
