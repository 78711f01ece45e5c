// Finds work that nobody will finish: tasks whose agent stopped renewing its lease, tasks waiting on an
// agent that has been silent too long, and runs whose follow-up was lost. Run by the worker every
// few seconds; every change goes through advanceRun, so a run ends "lost" with a reason, never stuck.
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { flowConfig } from "@/lib/flow/config";
import { advanceRun } from "@/lib/flow/advance-run";
import { flowEvents } from "@/lib/flow/events";

// Agents renew their leases through the dashboard's agent API. While that API is down (the web app
// restarting, a deploy) no agent can, and an expired lease says nothing about the agent. So a lease is
// judged at its expiry only while this process has steadily heard heartbeats (every live agent sends one
// each lease/4) for half a lease, so that every live agent had its turn; without that evidence (API down,
// this worker just started, or every agent silent) it is judged `agentOfflineSeconds` later: still bounded.
const api = { upSince: Date.now(), lastHeard: 0, listening: false };

function agentApiSteady(nowMs: number): boolean {
  const half = (flowConfig.leaseSeconds * 1000) / 2;
  if (!api.listening) {
    api.listening = true;
    flowEvents().on("heartbeat", () => {
      const t = Date.now();
      if (t - api.lastHeard > half) api.upSince = t;
      api.lastHeard = t;
    });
  }
  return nowMs - api.lastHeard <= half && nowMs - api.upSince >= half;
}

export async function sweep(now = new Date()): Promise<{ lost: number; advanced: number }> {
  const touched = new Set<string>();
  let lost = 0;

  const graceMs = agentApiSteady(now.getTime()) ? 0 : flowConfig.agentOfflineSeconds * 1000;
  const cutoffs: LossCutoffs = {
    leaseExpiredBefore: new Date(now.getTime() - graceMs),
    offlineSince: new Date(now.getTime() - flowConfig.agentOfflineSeconds * 1000 - graceMs),
  };
  const [expired, stranded] = await Promise.all([
    prisma.task.findMany({ where: lostTaskWhere("leased", cutoffs), select: { id: true } }),
    prisma.task.findMany({ where: lostTaskWhere("pending", cutoffs), select: { id: true } }),
  ]);
  for (const task of [...expired, ...stranded]) {
    const runId = await declareTaskLost(task.id, cutoffs, now);
    if (!runId) continue;
    touched.add(runId);
    lost += 1;
  }

  // Reconcile: every unfinished run is looked at again (queued runs may have a free slot now).
  const open = await prisma.run.findMany({
    where: { status: { in: ["queued", "running"] } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  for (const { id } of open) touched.add(id);
  for (const id of touched) await advanceRun(id);
  return { lost, advanced: touched.size };
}

export interface LossCutoffs {
  /** A leased task whose lease expired before this is lost. */
  leaseExpiredBefore: Date;
  /** A pending task created before this, for an agent not heard from since, is lost. */
  offlineSince: Date;
}

function lostTaskWhere(status: "leased" | "pending", c: LossCutoffs): Prisma.TaskWhereInput {
  return status === "leased"
    ? { status, leaseExpiresAt: { lt: c.leaseExpiredBefore } }
    : {
        status,
        createdAt: { lt: c.offlineSince },
        agent: { OR: [{ lastHeartbeatAt: null }, { lastHeartbeatAt: { lt: c.offlineSince } }] },
      };
}

/**
 * Declares one task lost, with its step and a log line, in one transaction whose first write re-checks the
 * condition on the row: a lease renewed (or an agent heard from) since the sweep read it keeps its task,
 * and a process killed mid-way leaves all three writes undone. Returns the run id when it declared the loss.
 */
export async function declareTaskLost(taskId: string, cutoffs: LossCutoffs, now = new Date()): Promise<string | null> {
  return prisma.$transaction(async (tx) => {
    const task = await tx.task.findUnique({ where: { id: taskId }, include: { agent: { select: { name: true, lastHeartbeatAt: true } } } });
    if (!task || (task.status !== "leased" && task.status !== "pending")) return null;
    const seen = task.agent.lastHeartbeatAt ? `last heard ${task.agent.lastHeartbeatAt.toISOString()}` : "never heard from";
    const reason =
      task.status === "leased"
        ? `Agent ${task.agent.name} stopped answering during ${task.kind} (${seen}); its lease of ${flowConfig.leaseSeconds}s expired.`
        : `Agent ${task.agent.name} is offline (${seen}): nobody picked up the ${task.kind} task.`;
    const changed = await tx.task.updateMany({
      where: { id: task.id, ...lostTaskWhere(task.status, cutoffs) },
      data: { status: "lost", endedAt: now, result: { error: reason } },
    });
    // Someone else decided first (a heartbeat renewed the lease, a report ended the task, another sweep).
    if (changed.count === 0) return null;
    await tx.runStep.update({ where: { id: task.stepId }, data: { status: "lost", endedAt: now, error: reason } });
    await tx.runLog.create({ data: { runId: task.runId, source: "dashboard", line: reason } });
    return task.runId;
  });
}

/**
 * Gives every held lease one more term: after the sweeper itself was cut off from PostgreSQL for longer than a
 * lease, no agent could renew either. The heartbeat grace above then covers the time agents need to report again.
 */
export async function extendLeases(now = new Date()) {
  await prisma.task.updateMany({
    where: { status: "leased" },
    data: { leaseExpiresAt: new Date(now.getTime() + flowConfig.leaseSeconds * 1000) },
  });
}
