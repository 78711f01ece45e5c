"use server";

import { revalidatePath } from "next/cache";
import { recordAction } from "@/lib/actions/define-action";
import { requestRecalibration } from "@/lib/calibration/calibrations";

export const requestRecalibrationAction = recordAction(async ({ user, input: trainerId, authorize }) => {
  await authorize("infrastructure:manage");
  const trainer = await requestRecalibration({ actorId: user.id, trainerId });
  revalidatePath("/trainers");
  return { ok: true, message: `${trainer.name} recalibrates in the background at its agent's next heartbeat; runs do not wait for it.` };
});
