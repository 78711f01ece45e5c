"use server";

import { revalidatePath } from "next/cache";
import { requirePermission, requireUser } from "@/lib/auth/session";
import { failure, formValues, type ActionState } from "@/lib/actions/action-state";
import { registerDatasetInput } from "@/lib/datasets/dataset-input";
import { registerDataset } from "@/lib/server/datasets/register-dataset";

export async function registerDatasetAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const values = formValues(form);
  try {
    const user = await requireUser();
    const input = registerDatasetInput.parse(values);
    await requirePermission(user, "dataset:register", input.experimentId);
    await registerDataset({ actorId: user.id, input });
    revalidatePath(`/experiments/${input.experimentId}`);
    return { ok: true, message: `Dataset “${input.name}” registered.`, redirectTo: `/experiments/${input.experimentId}` };
  } catch (error) {
    return failure(error, values);
  }
}
