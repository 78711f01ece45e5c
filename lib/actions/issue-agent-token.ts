"use server";

import { revalidatePath } from "next/cache";
import { failure, formValues, type ActionState } from "@/lib/actions/action-state";
import { requireStaff } from "@/lib/actions/require-staff";
import { issueTokenInput } from "@/lib/infrastructure/infrastructure-input";
import { issueAgentToken } from "@/lib/server/infrastructure/manage-infrastructure";

export async function issueAgentTokenAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const values = formValues(form);
  try {
    const user = await requireStaff();
    const input = issueTokenInput.parse(values);
    const { token } = await issueAgentToken({ actorId: user.id, input });
    revalidatePath(input.kind === "trainer" ? "/trainers" : "/edge-hosts");
    // Shown once: only the hash is stored.
    return { ok: true, message: "Token issued. Copy it now: it is not shown again.", values: { token } };
  } catch (error) {
    return failure(error, values);
  }
}
