import { ranksOf } from "@/lib/agent-protocol/parallel";
import { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { LaunchRunInput } from "@/lib/flow/launch-input";
import { advanceRun } from "@/lib/flow/advance-run";
import { recordAudit } from "@/lib/audit/record-audit";
import { enqueueAdvance } from "@/lib/flow/queue";
import { visibleVersionsWhere } from "@/lib/auth/visibility";

/**
 * Creates the run (or returns the one already made with this idempotency key: a double click or a
 * resent form makes one run) and starts advancing it at once.
 */
export async function launchRun({
  actorId,
  input,
  predicted,
}: {
  actorId: string;
  input: LaunchRunInput;
  predicted?: Prisma.InputJsonValue;
}) {
  // Independent look-ups side by side: each is a round trip on the way from the click to the first batch.
  const [existing, dataset, trainer] = await Promise.all([
    prisma.run.findUnique({ where: { idempotencyKey: input.idempotencyKey } }),
    prisma.dataset.findFirst({ where: { id: input.datasetId, experimentId: input.experimentId } }),
    prisma.trainer.findUnique({ where: { id: input.trainerId } }),
  ]);
  if (existing) return { run: existing, created: false };

  if (!dataset) throw new AppError("INVALID_INPUT", "That dataset is not in this experiment.", { datasetId: ["Not in this experiment."] });
  const family = await prisma.modelFamily.findUnique({ where: { key: dataset.familyKey } });
  if (!family) throw new AppError("INVALID_INPUT", `No model family ${dataset.familyKey} is registered.`);
  if (!trainer) throw new AppError("INVALID_INPUT", "Unknown trainer.", { trainerId: ["Unknown trainer."] });
  if (input.parentVersionId) {
    // A version of an experiment the launcher cannot see is refused exactly like one that does not exist.
    const actor = await prisma.user.findUniqueOrThrow({ where: { id: actorId }, select: { id: true, role: true } });
    const parent = await prisma.modelVersion.findFirst({ where: { id: input.parentVersionId, ...visibleVersionsWhere(actor) } });
    if (!parent || parent.familyId !== family.id) {
      throw new AppError("INVALID_INPUT", "The parent model must be a version of the same family, from an experiment you belong to.", {
        parentVersionId: ["Choose a version of the same model family from your experiments."],
      });
    }
  }

  let run;
  try {
    run = await prisma.$transaction(async (tx) => {
      const created = await tx.run.create({
        data: {
          experimentId: input.experimentId,
          datasetId: dataset.id,
          familyId: family.id,
          trainerId: trainer.id,
          edgeHostId: dataset.edgeHostId,
          parentVersionId: input.parentVersionId,
          createdById: actorId,
          reason: input.reason,
          idempotencyKey: input.idempotencyKey,
          workers: ranksOf(trainer),
          predicted,
          params: {
            epochs: input.epochs,
            batchSize: input.batchSize,
            learningRate: input.learningRate,
            seed: input.seed,
            maxSamples: input.maxSamples,
          },
        },
      });
      await recordAudit({ actorUserId: actorId, action: "run.launch", targetType: "run", targetId: created.id }, tx);
      return created;
    });
  } catch (error) {
    // Two identical launches raced past the lookup: the unique key lets exactly one through.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const winner = await prisma.run.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
      return { run: winner, created: false };
    }
    throw error;
  }
  // The durable job makes sure the run advances even if this process dies right now; the direct call
  // makes dispatch fast. The run exists and its job is queued, so the launch has succeeded: a direct
  // advance that fails (e.g. no database connection free within maxWait under a burst of launches) is
  // left to the worker rather than reported as a failed launch.
  // Side by side: the job's insert need not delay the first task (the worker's sweep re-advances every open
  // run as well, so a process dying between the two still leaves nothing stranded).
  await Promise.all([
    enqueueAdvance(run.id),
    advanceRun(run.id).catch((error: Error) => console.error(`[launch] run ${run.id} is left to the worker: ${error.message}`)),
  ]);
  return { run, created: true };
}
