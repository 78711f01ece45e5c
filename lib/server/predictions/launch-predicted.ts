// A launch as the Retrain dialog makes it: the prediction stored on the run is what the dialog showed for
// these inputs (the same server function on the same inputs), computed from the database at launch.
import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/permissions";
import type { LaunchRunInput } from "@/lib/flow/launch-input";
import { launchRun } from "@/lib/flow/launch-run";
import { predictLaunches } from "@/lib/server/predictions/predict-launch";

export async function launchPredictedRun({ actor, input }: { actor: Actor; input: LaunchRunInput }) {
  const { trainers } = await predictLaunches({ actor, request: input });
  const prediction = trainers.find((t) => t.trainer.trainerId === input.trainerId)?.prediction ?? null;
  const predicted = prediction ? (JSON.parse(JSON.stringify(prediction)) as Prisma.InputJsonObject) : undefined;
  const launched = await launchRun({ actorId: actor.id, input, predicted });
  return { ...launched, prediction };
}
