"use server";

import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/actions/define-action";
import { issueTokenInput } from "@/lib/infrastructure/infrastructure-input";
import { issueAgentToken } from "@/lib/server/infrastructure/manage-infrastructure";

export const issueAgentTokenAction = formAction(issueTokenInput, async ({ user, input, authorize }) => {
  await authorize("infrastructure:manage");
  const { token } = await issueAgentToken({ actorId: user.id, input });
  revalidatePath(input.kind === "trainer" ? "/trainers" : "/edge-hosts");
  // Shown once: only the hash is stored.
  return { ok: true, message: "Token issued. Copy it now: it is not shown again.", values: { token } };
});
