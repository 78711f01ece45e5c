"use server";

import { revalidatePath } from "next/cache";
import { failure, type ActionState } from "@/lib/actions/action-state";
import { requireStaff } from "@/lib/actions/require-staff";
import { requestRecalibration } from "@/lib/server/calibration/calibrations";

export async function requestRecalibrationAction(trainerId: string): Promise<ActionState> {
  try {
    const user = await requireStaff();
    const trainer = await requestRecalibration({ actorId: user.id, trainerId: String(trainerId) });
    revalidatePath("/trainers");
    return { ok: true, message: `${trainer.name} recalibrates in the background at its agent's next heartbeat; runs do not wait for it.` };
  } catch (error) {
    return failure(error);
  }
}
