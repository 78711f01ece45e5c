// The dashboard's side of the agent protocol: claim, heartbeat, events, completion, transfer auth.
import { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { flowConfig } from "@/lib/flow/config";
import { hashSecret } from "@/lib/flow/tokens";
import { publish, waitForEvent } from "@/lib/flow/events";
import { advanceRun } from "@/lib/flow/advance-run";
import { registerDeployedModel } from "@/lib/flow/register-model";
import {
  taskCompletion,
  taskResults,
  type ClaimedTask,
  type TaskKind,
  taskEventsRequest,
  heartbeatRequest,
} from "@/lib/agent-protocol/schemas";
import type { z } from "zod";

export interface AuthenticatedAgent {
  id: string;
  name: string;
  kind: "trainer" | "edge";
}

/** Resolves a bearer token to its agent; revoked and unknown tokens are refused alike. */
export async function authenticateAgent(authorization: string | null): Promise<AuthenticatedAgent> {
  const token = authorization?.match(/^Bearer (\S{20,200})$/)?.[1];
  if (!token) throw new AppError("UNAUTHENTICATED", "Send the agent token as 'Authorization: Bearer <token>'.");
  const agent = await prisma.agent.findUnique({ where: { tokenHash: hashSecret(token) } });
  if (!agent) throw new AppError("UNAUTHENTICATED", "Unknown agent token.");
  if (agent.revokedAt) throw new AppError("UNAUTHENTICATED", "This agent token was revoked; ask staff for a new one.");
  return { id: agent.id, name: agent.name, kind: agent.kind };
}

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
  await publish({ type: "run", runId: task.runId });
  return {
    id: task.id,
    runId: task.runId,
    kind: task.kind as TaskKind,
    attempt: task.step.attempt,
    payload: task.payload,
    leaseSeconds: flowConfig.leaseSeconds,
  };
}

/** Long-poll: returns a task as soon as one is queued for the agent, or null after `waitSeconds`. */
export async function claimTask(agent: AuthenticatedAgent, waitSeconds: number, signal?: AbortSignal) {
  await touchAgent(agent.id);
  const deadline = Date.now() + Math.min(waitSeconds, flowConfig.longPollSeconds) * 1000;
  for (;;) {
    const task = await claimOnce(agent.id);
    if (task) return task;
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return null;
    // Re-check every few seconds as well, in case a notification was missed while reconnecting.
    await waitForEvent((e) => e.type === "task" && e.agentId === agent.id, Math.min(left, 5000), signal);
  }
}

async function touchAgent(agentId: string, data: Prisma.AgentUpdateInput = {}) {
  await prisma.agent.update({ where: { id: agentId }, data: { lastHeartbeatAt: new Date(), ...data } });
}

export async function heartbeat(agent: AuthenticatedAgent, body: z.infer<typeof heartbeatRequest>) {
  // The address goes into transfer tickets for other agents: only a plain http(s) data plane will do.
  if (body.dataPlaneUrl !== null && !/^https?:$/.test(new URL(body.dataPlaneUrl).protocol)) {
    throw new AppError("INVALID_INPUT", "Invalid request: dataPlaneUrl: must be an http or https URL.");
  }
  await touchAgent(agent.id, { version: body.version, dataPlaneUrl: body.dataPlaneUrl });
  const now = new Date();
  const leaseUntil = new Date(now.getTime() + flowConfig.leaseSeconds * 1000);
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
  };
}

async function leasedTask(agent: AuthenticatedAgent, taskId: string) {
  const task = await prisma.task.findUnique({ where: { id: taskId }, include: { step: true } });
  // Another agent's task id gets the same answer as a made-up one.
  if (!task || task.agentId !== agent.id) throw new AppError("NOT_FOUND", "No such task for this agent.");
  if (task.status !== "leased") {
    throw new AppError("CONFLICT", `Task is ${task.status}: the dashboard no longer expects reports for it.`);
  }
  return task;
}

export async function recordTaskEvents(agent: AuthenticatedAgent, taskId: string, body: z.infer<typeof taskEventsRequest>) {
  const task = await leasedTask(agent, taskId);
  // One transaction, entered by renewing the lease only if the task is still leased (holding its row):
  // a batch is written whole or not at all, and never for a task the sweeper declared lost meanwhile.
  await prisma.$transaction(async (tx) => {
    const renewed = await tx.task.updateMany({
      where: { id: task.id, status: "leased" },
      data: { leaseExpiresAt: new Date(Date.now() + flowConfig.leaseSeconds * 1000) },
    });
    if (renewed.count === 0) throw new AppError("CONFLICT", "Task is no longer leased: the dashboard no longer expects reports for it.");
    const logs = body.events.filter((e) => e.type === "log");
    if (logs.length) {
      await tx.runLog.createMany({ data: logs.map((e) => ({ runId: task.runId, source: `${agent.name}:${task.kind}`, line: e.line })) });
    }
    let detail: Prisma.JsonObject | null = null;
    for (const event of body.events) {
      if (event.type === "metric") {
        const m = event.metric;
        // Unique (run, epoch): a re-attached agent that re-reads its job output adds nothing twice.
        await tx.runMetric.upsert({
          where: { runId_epoch: { runId: task.runId, epoch: m.epoch } },
          create: {
            runId: task.runId,
            epoch: m.epoch,
            loss: m.loss,
            valLoss: m.valLoss,
            metrics: m.metrics,
            seconds: m.seconds,
            samplesPerSec: m.samplesPerSecond,
          },
          update: {},
        });
      } else if (event.type === "progress" || event.type === "started") {
        // Accumulate on the step's current detail (read under the task's lock, so concurrent batches
        // serialise): a batch may carry both a start and progress, and neither may drop the other's fields.
        detail ??= ((await tx.runStep.findUniqueOrThrow({ where: { id: task.stepId } })).detail as Prisma.JsonObject | null) ?? {};
        detail = {
          ...detail,
          ...(event.type === "progress"
            ? { progress: { done: event.done, total: event.total, note: event.note ?? null } }
            : { executorJobId: event.executorJobId, trainingStartedAt: new Date().toISOString() }),
        };
      }
    }
    if (detail) await tx.runStep.update({ where: { id: task.stepId }, data: { detail } });
  });
  await publish({ type: "run", runId: task.runId });
}

export async function completeTask(agent: AuthenticatedAgent, taskId: string, rawBody: unknown) {
  const task = await leasedTask(agent, taskId);
  const completion = taskCompletion.parse(rawBody);
  const now = new Date();
  const seconds = (now.getTime() - (task.step.startedAt ?? task.createdAt).getTime()) / 1000;
  if (completion.status === "succeeded") {
    const schema = taskResults[task.kind as TaskKind];
    const parsed = schema.safeParse(completion.result);
    if (!parsed.success) {
      throw new AppError("INVALID_INPUT", `Result of a ${task.kind} task is malformed: ${parsed.error.issues[0]?.message}`);
    }
    await prisma.$transaction(async (tx) => {
      await endLeasedTask(tx, task.id, { status: "succeeded", result: parsed.data as Prisma.InputJsonValue, endedAt: now });
      const stepData = await applyResult(tx, task, parsed.data, now);
      await tx.runStep.update({ where: { id: task.stepId }, data: { status: "succeeded", endedAt: now, seconds, ...stepData } });
    });
  } else {
    const error = completion.status === "failed" ? completion.error : (completion.error ?? "Canceled on request.");
    await prisma.$transaction(async (tx) => {
      await endLeasedTask(tx, task.id, { status: completion.status, endedAt: now, result: { error } });
      await tx.runStep.update({ where: { id: task.stepId }, data: { status: completion.status, endedAt: now, seconds, error } });
      await tx.runLog.create({ data: { runId: task.runId, source: `${agent.name}:${task.kind}`, line: `${completion.status}: ${error}` } });
    });
  }
  await advanceRun(task.runId);
}

type TaskRow = Prisma.TaskGetPayload<{ include: { step: true } }>;

/**
 * Ends a task only if it is still leased, first thing in the transaction (so it holds the row): the
 * sweeper may have declared it lost since it was read, and a lost task stays lost.
 */
async function endLeasedTask(tx: Prisma.TransactionClient, taskId: string, data: Prisma.TaskUpdateManyMutationInput) {
  const ended = await tx.task.updateMany({ where: { id: taskId, status: "leased" }, data });
  if (ended.count === 0) {
    const now = await tx.task.findUnique({ where: { id: taskId }, select: { status: true } });
    throw new AppError("CONFLICT", `Task is ${now?.status ?? "gone"}: the dashboard no longer expects reports for it.`);
  }
}

async function applyResult(tx: Prisma.TransactionClient, task: TaskRow, result: unknown, now: Date): Promise<Prisma.RunStepUpdateInput> {
  switch (task.kind) {
    case "stage_in":
    case "stage_out": {
      const { transfers } = result as z.infer<(typeof taskResults)["stage_in"]>;
      for (const t of transfers) {
        await tx.transfer.updateMany({
          where: { id: t.transferId, runId: task.runId },
          data: { status: "succeeded", seconds: t.seconds, startupSeconds: t.startupSeconds, attempts: t.attempts, completedAt: now },
        });
      }
      return { bytes: BigInt(transfers.reduce((sum, t) => sum + t.bytes, 0)), files: transfers.length };
    }
    case "train": {
      const r = result as z.infer<(typeof taskResults)["train"]>;
      const detail = {
        ...((task.step.detail as Prisma.JsonObject | null) ?? {}),
        schedulerQueueSeconds: r.queueSeconds,
        trainSeconds: r.trainSeconds,
        epochs: r.epochs,
        artifact: r.artifact,
      };
      return { detail, bytes: BigInt(r.artifact.bytes), files: 1 };
    }
    case "label": {
      const r = result as z.infer<(typeof taskResults)["label"]>;
      const run = await tx.run.findUniqueOrThrow({ where: { id: task.runId }, include: { trainer: true } });
      await tx.measurement.create({
        data: {
          kind: "labelling",
          familyId: run.familyId,
          host: run.trainer.name,
          runId: run.id,
          secondsPerDatum: r.secondsPerPeak,
          samples: r.peaks,
        },
      });
      return { detail: r };
    }
    case "deploy": {
      const r = result as z.infer<(typeof taskResults)["deploy"]>;
      await registerDeployedModel(tx, task.runId, r, now);
      return { detail: { metrics: r.metrics, secondsPerDatum: r.secondsPerDatum, samples: r.samples, exported: r.exported } };
    }
    default:
      return {};
  }
}

export async function authorizeTransfer(agent: AuthenticatedAgent, token: string) {
  const transfer = await prisma.transfer.findUnique({ where: { tokenHash: hashSecret(token) } });
  if (!transfer || transfer.sourceAgentId !== agent.id) return null;
  if (transfer.status === "succeeded" || transfer.status === "failed") return null; // one-time: spent
  if (transfer.tokenExpiresAt < new Date()) return null;
  if (transfer.status === "pending") await prisma.transfer.update({ where: { id: transfer.id }, data: { status: "active" } });
  return { transferId: transfer.id, path: transfer.sourcePath, bytes: Number(transfer.bytes), sha256: transfer.sha256 };
}
