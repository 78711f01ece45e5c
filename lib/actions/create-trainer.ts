"use server";

import { revalidatePath } from "next/cache";
import { failure, formValues, type ActionState } from "@/lib/actions/action-state";
import { requireStaff } from "@/lib/actions/require-staff";
import { createTrainerInput } from "@/lib/infrastructure/infrastructure-input";
import { createTrainer } from "@/lib/server/infrastructure/manage-infrastructure";

export async function createTrainerAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const values = formValues(form);
  try {
    const user = await requireStaff();
    const trainer = await createTrainer({ actorId: user.id, input: createTrainerInput.parse(values) });
    revalidatePath("/trainers");
    return { ok: true, message: `Trainer ${trainer.name} registered. Issue an agent token for it below.` };
  } catch (error) {
    return failure(error, values);
  }
}
