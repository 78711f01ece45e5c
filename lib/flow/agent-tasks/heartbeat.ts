// Heartbeats: the agent is alive, renews the leases of the tasks it runs, and hears which to stop.
import type { z } from "zod";
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { flowConfig } from "@/lib/flow/config";
import { publish } from "@/lib/flow/events";
import type { heartbeatRequest } from "@/lib/agent-protocol/schemas";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";
import { dueCalibration } from "@/lib/calibration/calibrations";
import { watchedDataRoots } from "@/lib/flow/agent-tasks/intake";
import { owedSpotChecksFor } from "@/lib/flow/agent-tasks/spot-checks";
import { probeFor } from "@/lib/calibration/probes";

export async function touchAgent(agentId: string, data: Prisma.AgentUpdateInput = {}) {
  await prisma.agent.update({ where: { id: agentId }, data: { lastHeartbeatAt: new Date(), ...data } });
}

export async function heartbeat(agent: AuthenticatedAgent, body: z.infer<typeof heartbeatRequest>) {
  const probeReady = Boolean(body.probeReady) && body.activeTaskIds.length === 0;
  await touchAgent(agent.id, { version: body.version, dataPlaneUrl: dataPlaneOrigin(body.dataPlaneUrl), probeReady });
  const now = new Date();
  const leaseUntil = new Date(now.getTime() + flowConfig.leaseSeconds * 1000);
  const trainer = await schedulerOf(agent, body.schedulerStartSeconds ?? null, now);
  await prisma.task.updateMany({
    where: { id: { in: body.activeTaskIds }, agentId: agent.id, status: "leased" },
    data: { leaseExpiresAt: leaseUntil },
  });
  // Listing a task acknowledges its claim: it will not be handed out again.
  await prisma.task.updateMany({
    where: { id: { in: body.activeTaskIds }, agentId: agent.id, status: "leased", acknowledgedAt: null },
    data: { acknowledgedAt: now },
  });
  const held = await prisma.task.findMany({
    where: { id: { in: body.activeTaskIds }, agentId: agent.id },
    select: { id: true, status: true, run: { select: { cancelRequestedAt: true } } },
  });
  const heldIds = new Set(held.filter((t) => t.status === "leased").map((t) => t.id));
  await publish({ type: "heartbeat", agentId: agent.id });
  return {
    leaseSeconds: flowConfig.leaseSeconds,
    cancelTaskIds: held.filter((t) => t.status === "leased" && t.run.cancelRequestedAt).map((t) => t.id),
    unknownTaskIds: body.activeTaskIds.filter((id) => !heldIds.has(id)),
    calibrate: await dueCalibration(agent, { agentVersion: body.version, zooVersion: body.zooVersion ?? null }),
    dataRoots: await watchedDataRoots(agent),
    spotChecks: await owedSpotChecksFor(agent),
    probe: await probeFor(agent, { ready: probeReady, version: body.version }, now),
    schedulerEstimate:
      trainer?.executor === "slurm" ? { nodes: trainer.nodes, tasksPerNode: trainer.tasksPerNode, gpusPerNode: trainer.gpusPerNode } : null,
  };
}

/** A trainer agent's trainer, with the Slurm start estimate the agent brought stored on it. */
async function schedulerOf(agent: AuthenticatedAgent, startSeconds: number | null, now: Date) {
  if (!agent.trainerId) return null;
  const select = { id: true, executor: true, nodes: true, tasksPerNode: true, gpusPerNode: true } as const;
  if (startSeconds === null) return prisma.trainer.findUnique({ where: { id: agent.trainerId }, select });
  return prisma.trainer.update({
    where: { id: agent.trainerId },
    data: { schedulerStartSeconds: startSeconds, schedulerEstimatedAt: now },
    select,
  });
}

/**
 * The address goes into transfer tickets for other agents, which fetch from it: only scheme://host:port
 * of a plain http(s) server will do (issue 10 #15) — no path, query, fragment or credentials.
 */
export function dataPlaneOrigin(address: string | null): string | null {
  if (address === null) return null;
  const url = new URL(address);
  const plain = /^https?:$/.test(url.protocol) && !url.username && !url.password && url.pathname === "/" && !url.search && !url.hash;
  if (!plain) {
    throw new AppError(
      "INVALID_INPUT",
      "Invalid request: dataPlaneUrl: must be scheme://host:port of an http or https server, nothing more.",
    );
  }
  return url.origin;
}
