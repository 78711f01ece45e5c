import "server-only";
import { prisma } from "@/lib/db";

export async function listAuditEvents({ limit = 200 }: { limit?: number } = {}) {
  return prisma.auditEvent.findMany({
    orderBy: { id: "desc" },
    take: limit,
    include: { actorUser: { select: { name: true, role: true } } },
  });
}
