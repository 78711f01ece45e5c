import "server-only";
import { z } from "zod";
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";

export const PAGE_SIZE = 50;

// Query parameters arrive from the URL: anything unexpected falls back to "no filter" rather than failing.
export const runFilters = z.object({
  status: z.enum(["queued", "running", "succeeded", "failed", "canceled", "lost"]).optional().catch(undefined),
  trainer: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional()
    .catch(undefined),
  experiment: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional()
    .catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});
export type RunFilters = z.infer<typeof runFilters>;

export async function listRuns({ actor, filters }: { actor: Actor; filters: RunFilters }) {
  const where: Prisma.RunWhereInput = {
    ...(filters.status && { status: filters.status }),
    ...(filters.trainer && { trainerId: filters.trainer }),
    ...(filters.experiment && { experimentId: filters.experiment }),
    experiment: visibleExperimentsWhere(actor),
  };
  // One more row than a page tells whether a next page exists without counting 100 000 rows.
  const rows = await prisma.run.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: (filters.page - 1) * PAGE_SIZE,
    take: PAGE_SIZE + 1,
    select: {
      id: true,
      number: true,
      status: true,
      statusReason: true,
      createdAt: true,
      endToEndSeconds: true,
      queueSeconds: true,
      reason: true,
      experiment: { select: { id: true, name: true } },
      trainer: { select: { name: true } },
      family: { select: { name: true } },
      dataset: { select: { name: true } },
      createdBy: { select: { name: true } },
    },
  });
  return { runs: rows.slice(0, PAGE_SIZE), hasNext: rows.length > PAGE_SIZE };
}
