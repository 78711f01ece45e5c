// Reports while a task runs: log lines, progress, epoch metrics, the moment training started.
import type { z } from "zod";
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { flowConfig } from "@/lib/flow/config";
import { publish } from "@/lib/flow/events";
import type { taskEvent, taskEventsRequest } from "@/lib/agent-protocol/schemas";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";
import { leasedTask } from "@/lib/flow/agent-tasks/leased-task";

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
            rankSamplesPerSec: m.rankSamplesPerSecond,
          },
          update: {},
        });
      } else if (event.type === "progress" || event.type === "started" || event.type === "first_batch") {
        // Accumulate on the step's current detail (read under the task's lock, so concurrent batches
        // serialise): a batch may carry both a start and progress, and neither may drop the other's fields.
        detail ??= ((await tx.runStep.findUniqueOrThrow({ where: { id: task.stepId } })).detail as Prisma.JsonObject | null) ?? {};
        detail = { ...detail, ...stepDetailOf(event) };
      }
    }
    if (detail) await tx.runStep.update({ where: { id: task.stepId }, data: { detail } });
  });
  await publish({ type: "run", runId: task.runId });
}

/** What a progress, start or first-batch report adds to its step's detail. */
function stepDetailOf(event: Exclude<z.infer<typeof taskEvent>, { type: "log" | "metric" }>): Prisma.JsonObject {
  switch (event.type) {
    case "progress":
      return { progress: { done: event.done, total: event.total, note: event.note ?? null } };
    case "started":
      return { executorJobId: event.executorJobId, trainingStartedAt: new Date().toISOString() };
    case "first_batch":
      return { firstBatchAt: new Date(event.atMs).toISOString() };
  }
}
