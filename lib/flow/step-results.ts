// Reading a finished step's result back, checked against its schema: a stored result is only trusted
// as far as the schema that validated it on arrival still accepts it.
import { z } from "zod";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { StepName } from "@/lib/flow/steps";
import { AppError } from "@/lib/errors";

/** A step cannot start (its inputs are missing or invalid): it fails at once with this message. */
export class StepSetupError extends Error {}

export async function storedResult<R extends z.ZodType>(
  tx: Prisma.TransactionClient,
  runId: string,
  step: StepName,
  schema: R,
): Promise<z.output<R>> {
  const task = await tx.task.findFirst({ where: { runId, kind: step, status: "succeeded" }, orderBy: { createdAt: "desc" } });
  const parsed = schema.safeParse(task?.result);
  if (!parsed.success) throw new StepSetupError(`The ${step} step's result is missing or invalid: retry from ${step}.`);
  return parsed.data;
}

/** A validated value as Prisma JSON: checked to be JSON (no undefined, functions or non-finite numbers). */
export function toStoredJson(value: unknown): Prisma.InputJsonValue {
  const json = z.json().parse(value);
  if (json === null) throw new AppError("INTERNAL", "A stored step payload or result cannot be null.");
  return json;
}
