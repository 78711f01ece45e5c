// Calibrations: each agent measures its host on connect, after its or the zoo's version changed, and when
// staff press "Recalibrate" (trainers). The dashboard decides whether one is due (heartbeat answer) and
// stores what comes back as Measurement rows with source `calibration`.
import type { z } from "zod";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { calibrationReport, CalibrationRequest } from "@/lib/agent-protocol/schemas";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";
import { recordAudit } from "@/lib/audit/record-audit";

type Family = CalibrationRequest["families"][number];

/** Where an agent's calibrations are filed: its trainer (by id) or its edge host (by name, as C(E) is). */
async function calibrationTarget(agentId: string) {
  const agent = await prisma.agent.findUniqueOrThrow({
    where: { id: agentId },
    select: {
      trainer: { select: { id: true, name: true, executor: true, recalibrateRequestedAt: true } },
      edgeHost: { select: { name: true } },
    },
  });
  if (agent.trainer) return { kind: "training" as const, trainer: agent.trainer, host: agent.trainer.name };
  if (agent.edgeHost) return { kind: "inference" as const, trainer: null, host: agent.edgeHost.name };
  return null;
}

/**
 * The calibration the agent should run now, or null. Due when a family has none yet, when the newest one
 * was made by another agent or zoo version, or when staff asked for one after it.
 */
export async function dueCalibration(
  agent: AuthenticatedAgent,
  versions: { agentVersion: string; zooVersion: string | null },
): Promise<CalibrationRequest | null> {
  const target = await calibrationTarget(agent.id);
  if (!target) return null;
  const families = await prisma.modelFamily.findMany({ select: { id: true, key: true } });
  const latest = await prisma.measurement.findMany({
    where: {
      source: "calibration",
      kind: target.kind,
      ...(target.trainer ? { trainerId: target.trainer.id } : { host: target.host }),
    },
    orderBy: { createdAt: "desc" },
    distinct: ["familyId"],
    select: { familyId: true, createdAt: true, agentVersion: true, zooVersion: true },
  });
  const byFamily = new Map(latest.map((m) => [m.familyId, m]));
  let reason: string | null = null;
  for (const family of families) {
    const last = byFamily.get(family.id);
    if (!last) reason ??= "first connection";
    else if (last.agentVersion !== versions.agentVersion) reason ??= `agent version ${last.agentVersion} → ${versions.agentVersion}`;
    else if (versions.zooVersion && last.zooVersion !== versions.zooVersion)
      reason ??= `zoo version ${last.zooVersion} → ${versions.zooVersion}`;
    else if (target.trainer?.recalibrateRequestedAt && target.trainer.recalibrateRequestedAt > last.createdAt)
      reason ??= "requested by staff";
  }
  if (!reason) return null;
  return {
    executor: target.trainer?.executor ?? "local",
    families: families.map((f) => f.key as Family),
    reason,
  };
}

export async function recordCalibration(agent: AuthenticatedAgent, report: z.infer<typeof calibrationReport>) {
  const target = await calibrationTarget(agent.id);
  if (!target) throw new AppError("FORBIDDEN", "This agent serves neither a trainer nor an edge host.");
  const families = await prisma.modelFamily.findMany({
    where: { key: { in: report.results.map((r) => r.family) } },
    select: { id: true, key: true },
  });
  const familyId = new Map(families.map((f) => [f.key, f.id]));
  const rows = report.results.map((r) => {
    const id = familyId.get(r.family);
    if (!id) throw new AppError("INVALID_INPUT", `Unknown model family ${r.family}.`);
    return {
      source: "calibration" as const,
      // On an edge host the validation throughput is C(E); on a trainer the training throughput leads.
      kind: target.kind,
      familyId: id,
      host: target.host,
      trainerId: target.trainer?.id ?? null,
      secondsPerDatum: target.kind === "training" ? 1 / r.trainSamplesPerSecond : 1 / r.valSamplesPerSecond,
      valSecondsPerDatum: 1 / r.valSamplesPerSecond,
      stepSeconds: r.trainStepSeconds ?? null,
      samples: 0,
      startupSeconds: r.startupSeconds,
      jobStartSeconds: r.jobStartSeconds,
      batchSize: r.batchSize,
      agentVersion: report.agentVersion,
      zooVersion: report.zooVersion,
    };
  });
  await prisma.measurement.createMany({ data: rows });
  await recordAudit({
    actorAgent: agent.name,
    action: "agent.calibrate",
    targetType: target.trainer ? "trainer" : "edgeHost",
    targetId: target.trainer?.id ?? target.host,
    detail: { families: report.results.map((r) => r.family) },
  });
  return { recorded: rows.length };
}

/** Staff: ask the trainer's agent to calibrate again (it does so in the background at its next heartbeat). */
export async function requestRecalibration({ actorId, trainerId }: { actorId: string; trainerId: string }) {
  const trainer = await prisma.trainer.findUnique({ where: { id: trainerId }, select: { id: true, name: true } });
  if (!trainer) throw new AppError("NOT_FOUND", "No such trainer.");
  await prisma.trainer.update({ where: { id: trainer.id }, data: { recalibrateRequestedAt: new Date() } });
  await recordAudit({ actorUserId: actorId, action: "trainer.recalibrate", targetType: "trainer", targetId: trainer.id });
  return trainer;
}

export interface CalibrationRow {
  family: string;
  at: Date;
  startupSeconds: number | null;
  jobStartSeconds: number | null;
  trainSamplesPerSecond: number;
  /** Of a training step's time, the part that does not grow with the batch; null when not measured. */
  stepSeconds: number | null;
  valSamplesPerSecond: number | null;
  batchSize: number | null;
  zooVersion: string | null;
  agentVersion: string | null;
}

/** The newest calibration per family of each trainer, for the trainers page. */
export async function listTrainerCalibrations(): Promise<{
  byTrainer: Record<string, CalibrationRow[]>;
  requestedAt: Record<string, Date>;
}> {
  const [rows, requested] = await Promise.all([
    prisma.measurement.findMany({
      where: { source: "calibration", kind: "training", trainerId: { not: null } },
      orderBy: { createdAt: "desc" },
      distinct: ["trainerId", "familyId"],
      include: { family: { select: { name: true } } },
    }),
    prisma.trainer.findMany({ where: { recalibrateRequestedAt: { not: null } }, select: { id: true, recalibrateRequestedAt: true } }),
  ]);
  const byTrainer: Record<string, CalibrationRow[]> = {};
  for (const m of rows) {
    (byTrainer[m.trainerId!] ??= []).push({
      family: m.family.name,
      at: m.createdAt,
      startupSeconds: m.startupSeconds,
      jobStartSeconds: m.jobStartSeconds,
      trainSamplesPerSecond: 1 / m.secondsPerDatum,
      stepSeconds: m.stepSeconds,
      valSamplesPerSecond: m.valSecondsPerDatum ? 1 / m.valSecondsPerDatum : null,
      batchSize: m.batchSize,
      zooVersion: m.zooVersion,
      agentVersion: m.agentVersion,
    });
  }
  return { byTrainer, requestedAt: Object.fromEntries(requested.map((t) => [t.id, t.recalibrateRequestedAt!])) };
}
