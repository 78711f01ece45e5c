"use server";

import { redirect } from "next/navigation";
import { formAction } from "@/lib/actions/define-action";
import { launchRunInput } from "@/lib/flow/launch-input";
import { launchPredictedRun } from "@/lib/server/predictions/launch-predicted";

export const launchRunAction = formAction(launchRunInput, async ({ user, input, authorize }) => {
  await authorize("run:launch", input.experimentId);
  // The prediction stored with the run is computed here, from the database, with the same function and
  // inputs as the dialog showed it; nothing of it is taken from the browser.
  const { run } = await launchPredictedRun({ actor: user, input });
  redirect(`/runs/${run.id}`);
});
