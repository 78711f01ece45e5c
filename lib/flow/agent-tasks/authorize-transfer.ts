// The data plane's question: may this token fetch this file from the asking agent?
import { prisma } from "@/lib/db";
import { hashSecret } from "@/lib/flow/tokens";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";

/**
 * A grant only for a transfer from the asking agent that is not spent (succeeded or failed: one-time),
 * whose token has not expired, and only while the receiving agent holds a task of its run (a token lives
 * as long as its task) — or, for a data-plane probe's transfer (lib/calibration/probes.ts), while its probe
 * is open and neither agent holds a task (a probe never takes the link from a run). One statement, checks
 * and the pending → active mark together: this answer is part of every transfer's start-up.
 */
export async function authorizeTransfer(agent: AuthenticatedAgent, token: string) {
  const rows = await prisma.$queryRaw<{ id: string; sourcePath: string; bytes: bigint; sha256: string }[]>`
    with granted as (
      select t.id, t."sourcePath", t.bytes, t.sha256, t.status from "Transfer" t
      where t."tokenHash" = ${hashSecret(token)} and t."sourceAgentId" = ${agent.id}
        and t.status in ('pending', 'active') and t."tokenExpiresAt" >= now()
        and (
          exists (select 1 from "Task" k where k."runId" = t."runId" and k."agentId" = t."destAgentId" and k.status = 'leased')
          or (
            exists (select 1 from "TransferProbe" p where p.id = t."probeId" and p.status = 'open')
            and not exists (
              select 1 from "Task" k where k."agentId" in (t."sourceAgentId", t."destAgentId") and k.status in ('pending', 'leased')
            )
          )
        )
    ), activated as (
      update "Transfer" set status = 'active' where id in (select id from granted where status = 'pending') returning id
    )
    select id, "sourcePath", bytes, sha256 from granted`;
  const grant = rows[0];
  return grant ? { transferId: grant.id, path: grant.sourcePath, bytes: Number(grant.bytes), sha256: grant.sha256 } : null;
}
