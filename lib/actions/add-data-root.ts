"use server";

import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/actions/define-action";
import { addDataRoot, addDataRootInput } from "@/lib/server/data-roots/manage-data-roots";

export const addDataRootAction = formAction(addDataRootInput, async ({ user, input, authorize }) => {
  await authorize("infrastructure:manage");
  const root = await addDataRoot({ actorId: user.id, input });
  revalidatePath("/edge-hosts");
  return { ok: true, message: `Data root ${root.path} declared.` };
});
