"use server";

import { revalidatePath } from "next/cache";
import { recordAction } from "@/lib/actions/define-action";
import { revokeAgentToken } from "@/lib/server/infrastructure/manage-infrastructure";

export const revokeAgentTokenAction = recordAction(async ({ user, input: agentId, authorize }) => {
  await authorize("infrastructure:manage");
  const agent = await revokeAgentToken({ actorId: user.id, agentId });
  revalidatePath("/trainers");
  revalidatePath("/edge-hosts");
  return { ok: true, message: `Token of ${agent.name} revoked: the agent is refused from now on.` };
});
