"use server";

import { revalidatePath } from "next/cache";
import { recordAction } from "@/lib/actions/define-action";
import { removeDataRoot } from "@/lib/server/data-roots/manage-data-roots";

export const removeDataRootAction = recordAction(async ({ user, input: dataRootId, authorize }) => {
  await authorize("infrastructure:manage");
  const root = await removeDataRoot({ actorId: user.id, dataRootId });
  revalidatePath("/edge-hosts");
  return { ok: true, message: `Data root ${root.path} removed.` };
});
