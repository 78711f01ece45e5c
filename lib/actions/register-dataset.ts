"use server";

import { revalidatePath } from "next/cache";
import { recordAction } from "@/lib/actions/define-action";
import { experimentOfDataRootFile, registerDatasetFromFile } from "@/lib/server/datasets/register-dataset";

/** Registers a file the edge agent found in a data root (picked on the browse page) as a dataset. */
export const registerDatasetAction = recordAction(async ({ user, input: fileId, authorize }) => {
  const experimentId = await experimentOfDataRootFile(fileId);
  await authorize("dataset:register", experimentId);
  const dataset = await registerDatasetFromFile({ actorId: user.id, fileId });
  revalidatePath(`/experiments/${experimentId}`);
  revalidatePath(`/experiments/${experimentId}/data`);
  return { ok: true, message: `Dataset “${dataset.name}” registered.` };
});
