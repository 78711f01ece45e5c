"use server";

import { revalidatePath } from "next/cache";
import { prisma } from "@/lib/db";
import { recordAction } from "@/lib/actions/define-action";
import { AppError } from "@/lib/errors";
import { deployAnyway } from "@/lib/server/models/deploy-anyway";

/** "Deploy anyway" on a held-back version: whoever may launch runs in its experiment may put it in service. */
export const deployAnywayAction = recordAction(async ({ user, input: modelVersionId, authorize }) => {
  const version = await prisma.modelVersion.findUnique({ where: { id: modelVersionId }, select: { experimentId: true } });
  if (!version) throw new AppError("NOT_FOUND", "No such model version.");
  if (version.experimentId) await authorize("run:launch", version.experimentId);
  else await authorize("infrastructure:manage");
  const { message } = await deployAnyway({ actorId: user.id, modelVersionId });
  revalidatePath("/models", "layout");
  return { ok: true, message };
});
