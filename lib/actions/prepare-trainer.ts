"use server";

import { z } from "zod";
import { inputAction, recordId } from "@/lib/actions/define-action";
import { prepareTrainer } from "@/lib/flow/prepare-trainer";

const prepareTrainerInput = z.object({ experimentId: recordId, trainerId: recordId });

const MESSAGES = {
  asked:
    "This trainer's agent keeps a Slurm job standing by while this dialog is open, so the launch skips the scheduler's wait; closed without a launch, the job gives up after 30 s (the agent's default).",
  "not slurm": "The trainer keeps its own warm process; nothing to prepare.",
  "data-parallel": "Data-parallel jobs are submitted at the launch; nothing to prepare.",
  "no live agent": "The trainer's agent is not connected; nothing to prepare.",
} as const;

/** The Retrain dialog is open on this trainer (only someone who may launch in the experiment can say so). */
export const prepareTrainerAction = inputAction(prepareTrainerInput, async ({ input, authorize }) => {
  await authorize("run:launch", input.experimentId);
  const outcome = await prepareTrainer(input.trainerId);
  return { ok: outcome === "asked", message: MESSAGES[outcome] };
});
