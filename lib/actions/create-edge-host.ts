"use server";

import { revalidatePath } from "next/cache";
import { failure, formValues, type ActionState } from "@/lib/actions/action-state";
import { requireStaff } from "@/lib/actions/require-staff";
import { createEdgeHostInput } from "@/lib/infrastructure/infrastructure-input";
import { createEdgeHost } from "@/lib/server/infrastructure/manage-infrastructure";

export async function createEdgeHostAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const values = formValues(form);
  try {
    const user = await requireStaff();
    const edgeHost = await createEdgeHost({ actorId: user.id, input: createEdgeHostInput.parse(values) });
    revalidatePath("/edge-hosts");
    return { ok: true, message: `Edge host ${edgeHost.name} registered. Issue an agent token for it below.` };
  } catch (error) {
    return failure(error, values);
  }
}
