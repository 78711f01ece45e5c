"use server";

import { revalidatePath } from "next/cache";
import { failure, type ActionState } from "@/lib/actions/action-state";
import { requireStaff } from "@/lib/actions/require-staff";
import { revokeAgentToken } from "@/lib/server/infrastructure/manage-infrastructure";

export async function revokeAgentTokenAction(agentId: string): Promise<ActionState> {
  try {
    const user = await requireStaff();
    const agent = await revokeAgentToken({ actorId: user.id, agentId: String(agentId) });
    revalidatePath("/trainers");
    revalidatePath("/edge-hosts");
    return { ok: true, message: `Token of ${agent.name} revoked: the agent is refused from now on.` };
  } catch (error) {
    return failure(error);
  }
}
