// Claiming work: a long-poll that hands the agent its oldest pending task as soon as there is one.
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { flowConfig } from "@/lib/flow/config";
import { publish, waitForEvent } from "@/lib/flow/events";
import type { AgentWork, ClaimedTask } from "@/lib/agent-protocol/schemas";
import { isAgentStep } from "@/lib/flow/steps";
import { mintTransferTokens, pendingTicketIds, SEALABLE, sealTransfer } from "@/lib/flow/transfer-tokens";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";
import { touchAgent } from "@/lib/flow/agent-tasks/heartbeat";

/**
 * Hands the agent its oldest pending task, or one it was handed before but never acknowledged (issue 10
 * #14): the agent acknowledges a task (heartbeat listing it) before it polls again, so an unacknowledged
 * lease at its next poll means the response carrying it was lost on the way, and it is delivered again.
 */
async function claimOnce(agentId: string): Promise<ClaimedTask | null> {
  const leaseUntil = new Date(Date.now() + flowConfig.leaseSeconds * 1000);
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    update "Task" set status = 'leased', "leasedAt" = now(), "acknowledgedAt" = null, "leaseExpiresAt" = ${leaseUntil}
    where id = (
      select t.id from "Task" t join "Run" r on r.id = t."runId"
      where t."agentId" = ${agentId} and r."cancelRequestedAt" is null
        and (t.status = 'pending' or (t.status = 'leased' and t."acknowledgedAt" is null))
      order by t."createdAt" limit 1 for update of t skip locked
    ) returning id`;
  if (rows.length === 0) return null;
  const task = await prisma.task.findUniqueOrThrow({ where: { id: rows[0].id }, include: { step: true } });
  const kind = task.kind;
  if (!isAgentStep(kind)) throw new AppError("INTERNAL", `Task ${task.id} is a ${kind} step, which no agent runs.`);
  // Tokens for this delivery only, bound to this agent: a re-delivery replaces them (issue 10 #12). Each is sealed
  // for the agent that serves it, so that its data plane starts without asking the dashboard first.
  // Only a task that carries tickets reads its transfers (most do not: train, deploy).
  const ticketIds = pendingTicketIds(task.payload);
  const transfers = ticketIds.length
    ? await prisma.transfer.findMany({
        where: { id: { in: ticketIds }, runId: task.runId, destAgentId: agentId, status: { in: ["pending", "active"] } },
        select: SEALABLE,
      })
    : [];
  const { payload, hashes } = mintTransferTokens(task.payload, (transferId, tokenHash) => {
    const transfer = transfers.find((t) => t.id === transferId);
    return transfer ? sealTransfer(transfer, tokenHash) : null;
  });
  for (const [transferId, tokenHash] of hashes) {
    await prisma.transfer.updateMany({
      where: { id: transferId, runId: task.runId, destAgentId: agentId, status: { in: ["pending", "active"] } },
      data: { tokenHash },
    });
  }
  await publish({ type: "run", runId: task.runId });
  return {
    id: task.id,
    runId: task.runId,
    kind,
    attempt: task.step.attempt,
    payload,
    leaseSeconds: flowConfig.leaseSeconds,
  };
}

/**
 * Long-poll: returns a task as soon as one is queued for the agent, or null after `waitSeconds`; or, while none is,
 * a request to stand a Slurm job by (lib/flow/prepare-trainer.ts). Such a request that finds the agent busy, not
 * polling, is not kept: the Retrain dialog repeats it every few seconds while it stays open.
 */
export async function claimTask(agent: AuthenticatedAgent, waitSeconds: number, signal?: AbortSignal): Promise<AgentWork | null> {
  await touchAgent(agent.id);
  const deadline = Date.now() + Math.min(waitSeconds, flowConfig.longPollSeconds) * 1000;
  for (;;) {
    const task = await claimOnce(agent.id);
    if (task) return task;
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return null;
    // Re-check every few seconds as well, in case a notification was missed while reconnecting.
    const event = await waitForEvent(
      (e) => (e.type === "task" || e.type === "standby") && e.agentId === agent.id,
      Math.min(left, 5000),
      signal,
    );
    if (event?.type === "standby") return { type: "standby", parallel: event.parallel };
  }
}
