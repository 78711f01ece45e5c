"use server";

import { redirect } from "next/navigation";
import { requirePermission, requireUser } from "@/lib/auth/session";
import { failure, formValues, type ActionState } from "@/lib/actions/action-state";
import { launchRunInput } from "@/lib/flow/launch-input";
import { launchPredictedRun } from "@/lib/server/predictions/launch-predicted";

export async function launchRunAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const values = formValues(form);
  let runId: string;
  try {
    const user = await requireUser();
    const input = launchRunInput.parse(values);
    await requirePermission(user, "run:launch", input.experimentId);
    const { run } = await launchPredictedRun({ actor: user, input });
    runId = run.id;
  } catch (error) {
    return failure(error, values);
  }
  redirect(`/runs/${runId}`);
}
