// What an actor may see, as Prisma filters: every query of experiment data is scoped through these.
import type { Prisma } from "@/lib/generated/prisma/client";
import { can, type Actor } from "@/lib/auth/permissions";

/** Prisma filter for the experiments an actor may see: staff see all, others their memberships. */
export function visibleExperimentsWhere(actor: Actor): Prisma.ExperimentWhereInput {
  if (can(actor, "runs:view-all")) return {};
  return { OR: [{ piId: actor.id }, { members: { some: { userId: actor.id } } }] };
}

/** Prisma filter for the model versions an actor may see: staff all, others those of their experiments. */
export function visibleVersionsWhere(actor: Actor): Prisma.ModelVersionWhereInput {
  if (can(actor, "runs:view-all")) return {};
  return { experiment: visibleExperimentsWhere(actor) };
}
