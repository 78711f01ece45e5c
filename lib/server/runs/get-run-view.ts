// Everything the live run page shows, as plain JSON (dates as epoch ms, sizes as numbers), so the
// first render and every server-sent update carry the same shape.
import "server-only";
import { prisma } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { stepSecondsFromRows, tableOneBreakdown } from "@/lib/flow/breakdown";
import type { Actor } from "@/lib/auth/permissions";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";

const LOG_TAIL = 200;
const gateSelect = {
  heldBack: true,
  reason: true,
  metric: true,
  newValue: true,
  inServiceValue: true,
  inServiceVersion: true,
  inServiceMetrics: true,
  deployedAnywayAt: true,
  inServiceDeployment: { select: { active: true } },
} satisfies Prisma.DeployDecisionSelect;
const ms = (d: Date | null) => (d ? d.getTime() : null);

/** Whether the actor may see the run (a cheap check for long-lived streams). */
export async function isRunVisible(actor: Actor, runId: string): Promise<boolean> {
  return (await prisma.run.count({ where: { id: runId, experiment: visibleExperimentsWhere(actor) } })) > 0;
}

export async function getRunView({ actor, runId }: { actor: Actor; runId: string }) {
  const run = await prisma.run.findFirst({
    where: { id: runId, experiment: visibleExperimentsWhere(actor) },
    include: {
      experiment: { select: { id: true, name: true } },
      dataset: { select: { name: true, sampleCount: true, bytes: true } },
      family: { select: { key: true, name: true } },
      trainer: { select: { name: true, executor: true } },
      edgeHost: { select: { name: true } },
      createdBy: { select: { name: true } },
      parentVersion: { select: { version: true } },
      modelVersion: {
        select: {
          id: true,
          version: true,
          metrics: true,
          deployments: { select: { active: true, deployedAt: true } },
          deployDecision: { select: gateSelect },
        },
      },
      steps: { orderBy: [{ startedAt: "asc" }, { attempt: "asc" }] },
      metrics: { orderBy: { epoch: "asc" } },
      transfers: { orderBy: { createdAt: "asc" } },
    },
  });
  if (!run) return null;
  const logs = await prisma.runLog.findMany({ where: { runId }, orderBy: { id: "desc" }, take: LOG_TAIL });
  const now = Date.now();
  const endToEnd = run.endToEndSeconds ?? (now - run.createdAt.getTime()) / 1000;
  return {
    id: run.id,
    number: run.number,
    status: run.status,
    statusReason: run.statusReason,
    reason: run.reason,
    cancelRequested: run.cancelRequestedAt !== null,
    experiment: run.experiment,
    dataset: { name: run.dataset.name, sampleCount: run.dataset.sampleCount, bytes: Number(run.dataset.bytes) },
    family: run.family,
    trainer: run.trainer,
    edgeHost: run.edgeHost.name,
    createdBy: run.createdBy.name,
    parentVersion: run.parentVersion?.version ?? null,
    params: run.params as Record<string, unknown>,
    workers: run.workers,
    createdAtMs: run.createdAt.getTime(),
    endedAtMs: ms(run.endedAt),
    nowMs: now,
    predicted: run.predicted as {
      totalSeconds: number;
      plusMinusSeconds: number;
      steps: Record<string, { seconds: number; plusMinusSeconds: number }>;
    } | null,
    breakdown: tableOneBreakdown(stepSecondsFromRows(run.steps), { endToEndSeconds: endToEnd }),
    steps: run.steps.map((s) => ({
      id: s.id,
      name: s.name,
      attempt: s.attempt,
      status: s.status,
      startedAtMs: ms(s.startedAt),
      endedAtMs: ms(s.endedAt),
      seconds: s.seconds,
      bytes: s.bytes === null ? null : Number(s.bytes),
      error: s.error,
      detail: s.detail as Record<string, unknown> | null,
    })),
    metrics: run.metrics.map((m) => ({
      epoch: m.epoch,
      loss: m.loss,
      valLoss: m.valLoss,
      metrics: m.metrics as Record<string, number>,
      seconds: m.seconds,
      samplesPerSec: m.samplesPerSec,
      rankSamplesPerSec: m.rankSamplesPerSec,
    })),
    transfers: run.transfers.map((t) => ({
      id: t.id,
      purpose: t.purpose,
      bytes: Number(t.bytes),
      seconds: t.seconds,
      startupSeconds: t.startupSeconds,
      status: t.status,
      attempts: t.attempts,
    })),
    logs: logs.reverse().map((l) => ({ id: Number(l.id), atMs: l.at.getTime(), source: l.source, line: l.line })),
    modelVersion: run.modelVersion
      ? {
          id: run.modelVersion.id,
          version: run.modelVersion.version,
          metrics: run.modelVersion.metrics as Record<string, number>,
          active: run.modelVersion.deployments.some((d) => d.active),
          gate: run.modelVersion.deployDecision && gateView(run.modelVersion.deployDecision),
        }
      : null,
  };
}

/** The deploy gate's decision on the run's version (lib/flow/deploy-gate.ts), as JSON. */
function gateView({
  deployedAnywayAt,
  inServiceMetrics,
  inServiceDeployment,
  ...decision
}: Prisma.DeployDecisionGetPayload<{ select: typeof gateSelect }>) {
  return {
    ...decision,
    inServiceMetrics: inServiceMetrics as Record<string, number> | null,
    deployedAnywayAtMs: ms(deployedAnywayAt),
    /** The deployment it was compared with is still in service: Deploy anyway may replace it. */
    comparisonHolds: inServiceDeployment?.active ?? false,
  };
}

export type RunView = NonNullable<Awaited<ReturnType<typeof getRunView>>>;
