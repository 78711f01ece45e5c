// Data-plane probes (issue 9): before any run has moved bytes between an edge host and a trainer, their agents
// move a few files of known sizes each way through the same data plane, tickets and authorisation that runs use,
// so stage-in and stage-out are predicted from T = x/v + S fitted on that route. The dashboard decides when a
// route is due (heartbeat answer), hands each side its part, and records the transfers (runId null, purpose
// "probe") that then feed the fit like any run's. A probe starts only while both agents are idle, and it gives
// way to runs: the agent drops it when a task arrives, and no probe transfer is authorised while either agent
// holds a task (lib/flow/agent-tasks/authorize-transfer.ts).
import type { z } from "zod";
import type { TransferProbe } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { flowConfig } from "@/lib/flow/config";
import { newSecret } from "@/lib/flow/tokens";
import { SEALABLE, sealTransfer } from "@/lib/flow/transfer-tokens";
import { recordAudit } from "@/lib/audit/record-audit";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";
import type { TransferTicket } from "@/lib/agent-protocol/primitives";
import type { ProbeInstruction, probeFilesReport, probeResultsReport } from "@/lib/agent-protocol/probes";
import { mayFetch, probeDue, probeSizes, PROBE_TIMEOUT_SECONDS, type ProbeSide } from "@/lib/calibration/probe-plan";

export const PROBE_PURPOSE = "probe";

let sizes: number[] | null = null;
/** The probe sizes (TRANSFER_PROBE_MIB), read once. */
const configuredSizes = () => (sizes ??= probeSizes(process.env.TRANSFER_PROBE_MIB));

const involving = (agentId: string) => ({ OR: [{ edgeAgentId: agentId }, { trainerAgentId: agentId }] });
const sideOf = (probe: TransferProbe, agentId: string): ProbeSide => (probe.edgeAgentId === agentId ? "edge" : "trainer");
const readyAt = (probe: TransferProbe, side: ProbeSide) => (side === "edge" ? probe.edgeReadyAt : probe.trainerReadyAt);

/** Whether either agent has a task to run or running: a probe then waits, or stops. */
async function eitherBusy(agentIds: string[]) {
  return (await prisma.task.count({ where: { agentId: { in: agentIds }, status: { in: ["pending", "leased"] } } })) > 0;
}

/** Ends open probes with `error`; their transfers still open can never complete. */
async function failProbes(ids: string[], error: string, now: Date) {
  if (!ids.length) return;
  await prisma.$transaction([
    prisma.transferProbe.updateMany({ where: { id: { in: ids }, status: "open" }, data: { status: "failed", error, completedAt: now } }),
    prisma.transfer.updateMany({
      where: { probeId: { in: ids }, status: { in: ["pending", "active"] } },
      data: { status: "failed", error, completedAt: now },
    }),
  ]);
}

/**
 * The agent's part in a probe, for its heartbeat answer: the open probe it takes part in (timed-out ones are
 * failed first), else a new one on a due route when it said it is ready (no task, nothing in the background).
 */
export async function probeFor(
  agent: AuthenticatedAgent,
  { ready, version }: { ready: boolean; version: string },
  now = new Date(),
): Promise<ProbeInstruction | null> {
  // Asked at every heartbeat: one read of the agent's open probes, the timed-out ones failed from it.
  const openProbes = await prisma.transferProbe.findMany({
    where: { status: "open", ...involving(agent.id) },
    orderBy: { createdAt: "asc" },
  });
  const timedOutBefore = now.getTime() - PROBE_TIMEOUT_SECONDS * 1000;
  const stale = openProbes.filter((p) => p.createdAt.getTime() < timedOutBefore);
  await failProbes(
    stale.map((p) => p.id),
    `not finished within ${PROBE_TIMEOUT_SECONDS} s`,
    now,
  );
  const open = openProbes.find((p) => p.createdAt.getTime() >= timedOutBefore);
  if (open) return instructionFor(open, agent.id, now);
  if (!ready) return null;
  const started = await startDueProbe(agent, version, now);
  return started && instructionFor(started, agent.id, now);
}

/** Opens a probe with the first peer whose route is due, when both are idle; null when none is. */
async function startDueProbe(agent: AuthenticatedAgent, version: string, now: Date): Promise<TransferProbe | null> {
  // A peer counts while its heartbeats say it is ready (it beats every lease/4).
  const onlineSince = new Date(now.getTime() - flowConfig.leaseSeconds * 1000);
  const [self, peers] = await Promise.all([
    prisma.agent.findUniqueOrThrow({
      where: { id: agent.id },
      select: { dataPlaneUrl: true, trainer: { select: { recalibrateRequestedAt: true } } },
    }),
    prisma.agent.findMany({
      where: {
        kind: agent.kind === "edge" ? "trainer" : "edge",
        revokedAt: null,
        probeReady: true,
        lastHeartbeatAt: { gt: onlineSince },
        dataPlaneUrl: { not: null },
        // A trainer agent's peers are edge hosts' agents and the other way round (not unattached agents).
        ...(agent.kind === "edge" ? { trainerId: { not: null } } : { edgeHostId: { not: null } }),
      },
      orderBy: { createdAt: "asc" },
      select: { id: true, version: true, trainer: { select: { recalibrateRequestedAt: true } } },
    }),
  ]);
  if (!self.dataPlaneUrl) return null;
  for (const peer of peers) {
    const edge = agent.kind === "edge" ? { id: agent.id, version } : { id: peer.id, version: peer.version };
    const trainer = agent.kind === "edge" ? { id: peer.id, version: peer.version } : { id: agent.id, version };
    const recalibrateRequestedAt = (agent.kind === "edge" ? peer.trainer : self.trainer)?.recalibrateRequestedAt ?? null;
    const route = { edgeAgentId: edge.id, trainerAgentId: trainer.id };
    const [lastSucceeded, lastFailed] = await Promise.all([
      prisma.transferProbe.findFirst({ where: { ...route, status: "succeeded" }, orderBy: { createdAt: "desc" } }),
      prisma.transferProbe.findFirst({ where: { ...route, status: "failed" }, orderBy: { createdAt: "desc" } }),
    ]);
    const reason = probeDue(
      { lastSucceeded, lastFailedAt: lastFailed?.createdAt ?? null },
      { edgeVersion: edge.version, trainerVersion: trainer.version, recalibrateRequestedAt, at: now },
    );
    if (!reason || (await eitherBusy([edge.id, trainer.id]))) continue;
    // Both agents' heartbeats may get here at once: one probe per agent at a time, decided under their locks
    // (taken in one order, edge first, so two openings cannot wait for each other).
    const opened = await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`probe:${edge.id}`})), pg_advisory_xact_lock(hashtext(${`probe:${trainer.id}`}))`;
      const busy = await tx.transferProbe.count({ where: { status: "open", OR: [...involving(edge.id).OR, ...involving(trainer.id).OR] } });
      if (busy) return null;
      return tx.transferProbe.create({
        data: { ...route, reason, sizes: configuredSizes(), edgeVersion: edge.version, trainerVersion: trainer.version },
      });
    });
    if (opened) return opened;
  }
  return null;
}

/** What the agent is to do next in `probe`: write its files, fetch the other side's (tickets minted once), or wait. */
async function instructionFor(probe: TransferProbe, agentId: string, now: Date): Promise<ProbeInstruction> {
  const side = sideOf(probe, agentId);
  const stageInOpen =
    side === "edge"
      ? await prisma.transfer.count({
          where: { probeId: probe.id, destAgentId: probe.trainerAgentId, status: { in: ["pending", "active"] } },
        })
      : 0;
  const fetch =
    mayFetch(side, probe, stageInOpen) && !(await eitherBusy([probe.edgeAgentId, probe.trainerAgentId]))
      ? await issueTickets(probe, side, agentId, now)
      : [];
  return { probeId: probe.id, sizes: probe.sizes, prepare: readyAt(probe, side) === null, fetch };
}

/**
 * Tickets for the other side's files, each with a token minted now (only its hash kept), handed out once: a
 * second heartbeat must not replace the tokens of transfers already under way.
 */
async function issueTickets(probe: TransferProbe, side: ProbeSide, agentId: string, now: Date): Promise<TransferTicket[]> {
  const claimed = await prisma.transferProbe.updateMany({
    where: { id: probe.id, status: "open", ...(side === "edge" ? { edgeTicketsAt: null } : { trainerTicketsAt: null }) },
    data: side === "edge" ? { edgeTicketsAt: now } : { trainerTicketsAt: now },
  });
  if (claimed.count === 0) return [];
  const transfers = await prisma.transfer.findMany({
    where: { probeId: probe.id, destAgentId: agentId, status: "pending" },
    orderBy: { bytes: "asc" },
    select: { ...SEALABLE, sourceAgent: { select: { dataPlaneUrl: true } } },
  });
  const expires = new Date(now.getTime() + PROBE_TIMEOUT_SECONDS * 1000);
  const tickets: TransferTicket[] = [];
  for (const t of transfers) {
    if (!t.sourceAgent.dataPlaneUrl) continue;
    const secret = newSecret("xfer");
    await prisma.transfer.update({ where: { id: t.id }, data: { tokenHash: secret.hash, tokenExpiresAt: expires } });
    const seal = sealTransfer({ ...t, tokenExpiresAt: expires }, secret.hash);
    tickets.push({
      transferId: t.id,
      url: `${t.sourceAgent.dataPlaneUrl.replace(/\/$/, "")}/v1/transfers/${t.id}`,
      token: secret.token,
      ...(seal ? { seal } : {}),
      bytes: Number(t.bytes),
      sha256: t.sha256,
    });
  }
  return tickets;
}

/** The probe, when the agent takes part in it; refused otherwise. */
async function probeOf(agent: AuthenticatedAgent, probeId: string) {
  const probe = await prisma.transferProbe.findUnique({ where: { id: probeId } });
  if (!probe || (probe.edgeAgentId !== agent.id && probe.trainerAgentId !== agent.id)) {
    throw new AppError("FORBIDDEN", `Probe ${probeId} is not one this agent takes part in.`);
  }
  return probe;
}

/** The agent wrote its probe files (one per size): each becomes a transfer to the other side, fetched when its turn comes. */
export async function recordProbeFiles(agent: AuthenticatedAgent, probeId: string, report: z.infer<typeof probeFilesReport>) {
  const now = new Date();
  const probe = await probeOf(agent, probeId);
  if (probe.status !== "open") throw new AppError("CONFLICT", `Probe ${probeId} is over (${probe.status}).`);
  const side = sideOf(probe, agent.id);
  const offered = report.files.map((f) => f.bytes).sort((a, b) => a - b);
  if (offered.join() !== [...probe.sizes].sort((a, b) => a - b).join()) {
    throw new AppError("INVALID_INPUT", `Probe files must be of ${probe.sizes.join(", ")} bytes, one each.`);
  }
  const destAgentId = side === "edge" ? probe.trainerAgentId : probe.edgeAgentId;
  const expires = new Date(now.getTime() + PROBE_TIMEOUT_SECONDS * 1000);
  await prisma.$transaction(async (tx) => {
    const marked = await tx.transferProbe.updateMany({
      where: { id: probe.id, status: "open", ...(side === "edge" ? { edgeReadyAt: null } : { trainerReadyAt: null }) },
      data: side === "edge" ? { edgeReadyAt: now } : { trainerReadyAt: now },
    });
    if (marked.count === 0) throw new AppError("CONFLICT", `This agent's files for probe ${probeId} are already recorded.`);
    await tx.transfer.createMany({
      // The data plane serves a path only under the agent's own serve roots, whatever is recorded here; the token is
      // minted when the other side is handed the ticket (this hash is of a secret nobody holds).
      data: report.files.map((f) => ({
        probeId: probe.id,
        purpose: PROBE_PURPOSE,
        sourceAgentId: agent.id,
        destAgentId,
        sourcePath: f.path,
        bytes: BigInt(f.bytes),
        sha256: f.sha256,
        tokenHash: newSecret("xfer").hash,
        tokenExpiresAt: expires,
      })),
    });
  });
  return instructionFor(await prisma.transferProbe.findUniqueOrThrow({ where: { id: probe.id } }), agent.id, now);
}

/**
 * What the agent measured fetching the other side's files, or why it stopped. The probe succeeds once every
 * transfer each way has; an error (a run's task arrived, a transfer failed) fails it, and the route is tried
 * again later (lib/calibration/probe-plan.ts).
 */
export async function recordProbeResults(agent: AuthenticatedAgent, probeId: string, report: z.infer<typeof probeResultsReport>) {
  const now = new Date();
  const probe = await probeOf(agent, probeId);
  if (probe.status !== "open") return { status: probe.status };
  for (const t of report.transfers) {
    await prisma.transfer.updateMany({
      where: { id: t.transferId, probeId: probe.id, destAgentId: agent.id, bytes: BigInt(t.bytes), status: { in: ["pending", "active"] } },
      data: { status: "succeeded", seconds: t.seconds, startupSeconds: t.startupSeconds, attempts: t.attempts, completedAt: now },
    });
  }
  if (report.error) {
    await failProbes([probe.id], `${agent.name}: ${report.error}`, now);
    return { status: "failed" as const };
  }
  const counts = await prisma.transfer.groupBy({ by: ["status"], where: { probeId: probe.id }, _count: true });
  const succeeded = counts.find((c) => c.status === "succeeded")?._count ?? 0;
  if (succeeded < 2 * probe.sizes.length) return { status: "open" as const };
  const closed = await prisma.transferProbe.updateMany({
    where: { id: probe.id, status: "open" },
    data: { status: "succeeded", completedAt: now },
  });
  if (closed.count) {
    await recordAudit({
      actorAgent: agent.name,
      action: "agent.probe",
      targetType: "transferProbe",
      targetId: probe.id,
      detail: { edgeAgentId: probe.edgeAgentId, trainerAgentId: probe.trainerAgentId, sizes: probe.sizes, reason: probe.reason },
    });
  }
  return { status: "succeeded" as const };
}
