"use server";

import { redirect } from "next/navigation";
import { requirePermission, requireUser } from "@/lib/auth/session";
import { failure, formValues, type ActionState } from "@/lib/actions/action-state";
import { launchRunInput } from "@/lib/flow/launch-input";
import { launchRun } from "@/lib/flow/launch-run";
import { prisma } from "@/lib/db";
import { getPredictionInputs } from "@/lib/server/predictions/get-prediction-inputs";
import { predictLaunch } from "@/lib/cost-model/run-prediction";

export async function launchRunAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const values = formValues(form);
  let runId: string;
  try {
    const user = await requireUser();
    const input = launchRunInput.parse(values);
    await requirePermission(user, "run:launch", input.experimentId);
    // The prediction stored with the run is computed here, from the database, not taken from the browser.
    const dataset = await prisma.dataset.findFirst({ where: { id: input.datasetId, experimentId: input.experimentId } });
    let predicted = undefined;
    if (dataset) {
      const inputs = await getPredictionInputs({ edgeHostIds: [dataset.edgeHostId] });
      const trainer = inputs.trainers.find((t) => t.trainerId === input.trainerId);
      const prediction =
        trainer &&
        predictLaunch(trainer, inputs, {
          dataset: { ...dataset, bytes: Number(dataset.bytes) },
          epochs: input.epochs,
          maxSamples: input.maxSamples,
        });
      predicted = prediction ? JSON.parse(JSON.stringify(prediction)) : undefined;
    }
    const { run } = await launchRun({ actorId: user.id, input, predicted });
    runId = run.id;
  } catch (error) {
    return failure(error, values);
  }
  redirect(`/runs/${runId}`);
}
