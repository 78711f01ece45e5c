"use client";

import { useActionState } from "react";
import { setDriftPolicyAction } from "@/lib/actions/set-drift-policy";
import { initialActionState } from "@/lib/actions/action-state";
import { FormMessage } from "@/components/forms/field";

/** Staff and the experiment's PI set the threshold and the fraction p the edge checks, per family. */
export function DriftPolicyForm({
  experimentId,
  familyKey,
  unit,
  threshold,
  fraction,
}: {
  experimentId: string;
  familyKey: string;
  unit: string;
  threshold: number;
  fraction: number;
}) {
  const [state, action, pending] = useActionState(setDriftPolicyAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="row" aria-label={`Drift policy for ${familyKey}`}>
      <input type="hidden" name="experimentId" value={experimentId} />
      <input type="hidden" name="familyKey" value={familyKey} />
      <label>
        Threshold ({unit})
        <input
          name="threshold"
          type="number"
          step="any"
          min={0}
          defaultValue={state.values?.threshold ?? threshold}
          aria-invalid={Boolean(errors.threshold)}
          required
        />
      </label>
      <label>
        Checked per dataset (%)
        <input
          name="fractionPercent"
          type="number"
          step="any"
          min={0}
          max={100}
          defaultValue={state.values?.fractionPercent ?? Math.round(fraction * 1000) / 10}
          aria-invalid={Boolean(errors.fractionPercent)}
          required
        />
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </button>
      <FormMessage state={state} />
      {Object.entries(errors).map(([field, messages]) => (
        <span key={field} className="field-error small">
          {messages.join(" ")}
        </span>
      ))}
    </form>
  );
}
