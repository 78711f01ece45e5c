"use server";

import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/actions/define-action";
import { registerDatasetInput } from "@/lib/datasets/dataset-input";
import { registerDataset } from "@/lib/server/datasets/register-dataset";

export const registerDatasetAction = formAction(registerDatasetInput, async ({ user, input, authorize }) => {
  await authorize("dataset:register", input.experimentId);
  await registerDataset({ actorId: user.id, input });
  revalidatePath(`/experiments/${input.experimentId}`);
  return { ok: true, message: `Dataset “${input.name}” registered.`, redirectTo: `/experiments/${input.experimentId}` };
});
