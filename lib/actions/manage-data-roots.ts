"use server";

import { revalidatePath } from "next/cache";
import { failure, formValues, type ActionState } from "@/lib/actions/action-state";
import { requireStaff } from "@/lib/actions/require-staff";
import { addDataRoot, addDataRootInput, removeDataRoot } from "@/lib/server/data-roots/manage-data-roots";

export async function addDataRootAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const values = formValues(form);
  try {
    const user = await requireStaff();
    const root = await addDataRoot({ actorId: user.id, input: addDataRootInput.parse(values) });
    revalidatePath("/edge-hosts");
    return { ok: true, message: `Data root ${root.path} declared.` };
  } catch (error) {
    return failure(error, values);
  }
}

export async function removeDataRootAction(dataRootId: string): Promise<ActionState> {
  try {
    const user = await requireStaff();
    const root = await removeDataRoot({ actorId: user.id, dataRootId: String(dataRootId) });
    revalidatePath("/edge-hosts");
    return { ok: true, message: `Data root ${root.path} removed.` };
  } catch (error) {
    return failure(error);
  }
}
