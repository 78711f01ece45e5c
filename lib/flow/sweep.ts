// Finds work that nobody will finish: tasks whose agent stopped renewing its lease, tasks waiting on an
// agent that has been silent too long, and runs whose follow-up was lost. Run by the worker every
// few seconds; every change goes through advanceRun, so a run ends "lost" with a reason, never stuck.
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
  const expired = await prisma.task.findMany({
    where: { status: "leased", leaseExpiresAt: { lt: new Date(now.getTime() - graceMs) } },
    include: { agent: { select: { name: true, lastHeartbeatAt: true } } },
  });
  const offlineSince = new Date(now.getTime() - flowConfig.agentOfflineSeconds * 1000 - graceMs);
  const stranded = await prisma.task.findMany({
    where: {
      status: "pending",
      createdAt: { lt: offlineSince },
      agent: { OR: [{ lastHeartbeatAt: null }, { lastHeartbeatAt: { lt: offlineSince } }] },
    },
    include: { agent: { select: { name: true, lastHeartbeatAt: true } } },
  });

  for (const task of [...expired, ...stranded]) {
    const seen = task.agent.lastHeartbeatAt ? `last heard ${task.agent.lastHeartbeatAt.toISOString()}` : "never heard from";
    const reason =
      task.status === "leased"
        ? `Agent ${task.agent.name} stopped answering during ${task.kind} (${seen}); its lease of ${flowConfig.leaseSeconds}s expired.`
        : `Agent ${task.agent.name} is offline (${seen}): nobody picked up the ${task.kind} task.`;
    // Only the sweeper that flips the status owns the outcome (concurrent sweeps are harmless).
    const changed = await prisma.task.updateMany({
      where: { id: task.id, status: task.status },
      data: { status: "lost", endedAt: now, result: { error: reason } },
    });
    if (changed.count === 0) continue;
    await prisma.runStep.update({ where: { id: task.stepId }, data: { status: "lost", endedAt: now, error: reason } });
    await prisma.runLog.create({ data: { runId: task.runId, source: "dashboard", line: reason } });
    touched.add(task.runId);
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
