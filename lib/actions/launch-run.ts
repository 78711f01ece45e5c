"use server";

import { redirect } from "next/navigation";
import { formAction } from "@/lib/actions/define-action";
import { launchRunInput } from "@/lib/flow/launch-input";
import { launchRun } from "@/lib/flow/launch-run";
import { prisma } from "@/lib/db";
import { getPredictionInputs } from "@/lib/server/predictions/get-prediction-inputs";
import { predictLaunch } from "@/lib/cost-model/run-prediction";

export const launchRunAction = formAction(launchRunInput, async ({ user, input, authorize }) => {
  await authorize("run:launch", input.experimentId);
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
  redirect(`/runs/${run.id}`);
});
