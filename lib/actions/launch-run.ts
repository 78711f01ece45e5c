"use server";

import { redirect } from "next/navigation";
import { requirePermission, requireUser } from "@/lib/auth/session";
import { failure, formValues, type ActionState } from "@/lib/actions/action-state";
import { launchRunInput } from "@/lib/flow/launch-input";
import { launchRun } from "@/lib/flow/launch-run";
import type { Prisma } from "@/lib/generated/prisma/client";
import { predictLaunches } from "@/lib/server/predictions/predict-launch";

export async function launchRunAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const values = formValues(form);
  let runId: string;
  try {
    const user = await requireUser();
    const input = launchRunInput.parse(values);
    await requirePermission(user, "run:launch", input.experimentId);
    // The prediction stored with the run is the dialog's: the same server function on the same inputs,
    // computed here from the database, not taken from the browser.
    const { trainers } = await predictLaunches({ actor: user, request: input });
    const prediction = trainers.find((t) => t.trainer.trainerId === input.trainerId)?.prediction;
    const predicted = prediction ? (JSON.parse(JSON.stringify(prediction)) as Prisma.InputJsonObject) : undefined;
    const { run } = await launchRun({ actorId: user.id, input, predicted });
    runId = run.id;
  } catch (error) {
    return failure(error, values);
  }
  redirect(`/runs/${runId}`);
}
