"use server";

import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/actions/define-action";
import { createEdgeHostInput } from "@/lib/infrastructure/infrastructure-input";
import { createEdgeHost } from "@/lib/server/infrastructure/manage-infrastructure";

export const createEdgeHostAction = formAction(createEdgeHostInput, async ({ user, input, authorize }) => {
  await authorize("infrastructure:manage");
  const edgeHost = await createEdgeHost({ actorId: user.id, input });
  revalidatePath("/edge-hosts");
  return { ok: true, message: `Edge host ${edgeHost.name} registered. Issue an agent token for it below.` };
});
