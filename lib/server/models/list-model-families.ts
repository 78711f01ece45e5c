import "server-only";
import { prisma } from "@/lib/db";

export async function listModelFamilies() {
  return prisma.modelFamily.findMany({
    orderBy: { name: "asc" },
    include: { _count: { select: { versions: true, runs: true } } },
  });
}
