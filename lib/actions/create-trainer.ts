"use server";

import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/actions/define-action";
import { createTrainerInput } from "@/lib/infrastructure/infrastructure-input";
import { createTrainer } from "@/lib/server/infrastructure/manage-infrastructure";

export const createTrainerAction = formAction(createTrainerInput, async ({ user, input, authorize }) => {
  await authorize("infrastructure:manage");
  const trainer = await createTrainer({ actorId: user.id, input });
  revalidatePath("/trainers");
  return { ok: true, message: `Trainer ${trainer.name} registered. Issue an agent token for it below.` };
});
