"use server";

import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/actions/define-action";
import { driftPolicyInput } from "@/lib/drift/policy";
import { setDriftPolicy } from "@/lib/server/drift/set-drift-policy";

export const setDriftPolicyAction = formAction(driftPolicyInput, async ({ user, input }) => {
  // The role check (staff or this experiment's PI) is inside setDriftPolicy: a PI is a scientist by role.
  const policy = await setDriftPolicy({ actor: user, input });
  revalidatePath(`/experiments/${input.experimentId}`);
  revalidatePath("/");
  return {
    ok: true,
    message: `Retrain recommended above ${policy.threshold} for ${input.familyKey}; the edge checks ${input.fractionPercent} % of each new dataset.`,
  };
});
