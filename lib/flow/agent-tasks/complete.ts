// A task's end: its result is checked against its step's schema and applied by the step (lib/flow/steps).
import { z } from "zod";
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { advanceRun } from "@/lib/flow/advance-run";
import { registerDeployedModel } from "@/lib/flow/register-model";
import { storedResult, toStoredJson } from "@/lib/flow/step-results";
import { AGENT_STEP_IO, isAgentStep, type AgentStepName, type JsonObject, type ResultContext } from "@/lib/flow/steps";
import { taskCompletion } from "@/lib/agent-protocol/schemas";
import type { AuthenticatedAgent } from "@/lib/flow/agent-tasks/authenticate";
import { endLeasedTask, leasedTask, type TaskRow } from "@/lib/flow/agent-tasks/leased-task";
import { recordTaskEvents } from "@/lib/flow/agent-tasks/events";

export async function completeTask(agent: AuthenticatedAgent, taskId: string, rawBody: unknown) {
  const task = await leasedTask(agent, taskId);
  const completion = taskCompletion.parse(rawBody);
  if (completion.events?.length) await recordTaskEvents(agent, taskId, { events: completion.events });
  const now = new Date();
  const seconds = (now.getTime() - (task.step.startedAt ?? task.createdAt).getTime()) / 1000;
  if (completion.status === "succeeded") {
    if (!isAgentStep(task.kind)) throw new AppError("CONFLICT", `A ${task.kind} step is not an agent task.`);
    await finishSucceeded(task.kind, task, completion.result, now, seconds);
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

/** Validates the result with its step's schema, ends the task and lets the step apply its result. */
async function finishSucceeded<K extends AgentStepName>(kind: K, task: TaskRow, rawResult: unknown, now: Date, seconds: number) {
  const step = AGENT_STEP_IO[kind];
  const parsed = step.result.safeParse(rawResult);
  if (!parsed.success) {
    throw new AppError("INVALID_INPUT", `Result of a ${kind} task is malformed: ${parsed.error.issues[0]?.message}`);
  }
  await prisma.$transaction(async (tx) => {
    await endLeasedTask(tx, task.id, { status: "succeeded", result: toStoredJson(parsed.data), endedAt: now });
    const outcome = await step.applyResult(resultContext(tx, task, now), parsed.data);
    await tx.runStep.update({
      where: { id: task.stepId },
      data: {
        status: "succeeded",
        endedAt: now,
        seconds,
        bytes: outcome.bytes === undefined ? undefined : BigInt(outcome.bytes),
        files: outcome.files,
        detail: outcome.detail,
      },
    });
  });
}

/** The dashboard's I/O that a step may use when it applies its result. */
function resultContext(tx: Prisma.TransactionClient, task: TaskRow, now: Date): ResultContext {
  return {
    run: { id: task.runId },
    detail: jsonObjectOrEmpty(task.step.detail),
    resultOf: (step, schema) => storedResult(tx, task.runId, step, schema),
    async completeTransfers(transfers) {
      for (const t of transfers) {
        await tx.transfer.updateMany({
          where: { id: t.transferId, runId: task.runId },
          data: { status: "succeeded", seconds: t.seconds, startupSeconds: t.startupSeconds, attempts: t.attempts, completedAt: now },
        });
      }
    },
    async recordLabellingCost({ secondsPerDatum, samples }) {
      const run = await tx.run.findUniqueOrThrow({ where: { id: task.runId }, include: { trainer: true } });
      await tx.measurement.create({
        data: { kind: "labelling", familyId: run.familyId, host: run.trainer.name, runId: run.id, secondsPerDatum, samples },
      });
    },
    registerDeployedModel: (deployed, trained) => registerDeployedModel(tx, task.runId, deployed, trained, now),
  };
}

const jsonObject = z.record(z.string(), z.json());

function jsonObjectOrEmpty(value: Prisma.JsonValue | null): JsonObject {
  const parsed = jsonObject.safeParse(value);
  return parsed.success ? parsed.data : {};
}
