"use client";

import { useActionState, useEffect } from "react";
import { useRouter } from "next/navigation";
import { registerDatasetAction } from "@/lib/actions/register-dataset";
import { initialActionState } from "@/lib/actions/action-state";
import { Field, FormMessage } from "@/components/forms/field";

export function RegisterDatasetForm({
  experimentId,
  edgeHosts,
  roots,
}: {
  experimentId: string;
  edgeHosts: { id: string; name: string }[];
  /** The experiment's data roots as `edge-host:/folder`: datasets must lie inside one of them. */
  roots: string[];
}) {
  const [state, action, pending] = useActionState(registerDatasetAction, initialActionState);
  const router = useRouter();
  useEffect(() => {
    if (state.ok && state.redirectTo) router.push(state.redirectTo);
  }, [state, router]);
  return (
    <form action={action} className="stack" aria-label="Register dataset">
      <input type="hidden" name="experimentId" value={experimentId} />
      <Field name="name" label="Name" state={state} placeholder="Ti-7Al grain scan 3" required />
      <Field name="edgeHostId" label="Edge host" state={state} options={edgeHosts.map((h) => ({ value: h.id, label: h.name }))} required />
      <Field
        name="path"
        label="Path on the edge host"
        state={state}
        placeholder="/data/hedm/scan3.h5"
        hint={
          roots.length
            ? `Inside this experiment's data roots: ${roots.join(", ")}.`
            : "This experiment has no data root yet: facility staff declare them on the Edge hosts page."
        }
        required
      />
      <Field
        name="familyKey"
        label="Model family"
        state={state}
        options={[
          { value: "braggnn", label: "BraggNN (Bragg peaks)" },
          { value: "cookienetae", label: "CookieNetAE (CookieBox spectra)" },
        ]}
        required
      />
      <Field
        name="kind"
        label="Kind"
        state={state}
        options={[
          { value: "labelled", label: "Labelled (peak table / targets present)" },
          { value: "raw", label: "Raw (needs conventional labelling)" },
          { value: "simulated", label: "Simulated" },
        ]}
        required
      />
      <div className="row">
        <Field name="bytes" label="Bytes" state={state} type="number" required />
        <Field name="sampleCount" label="Samples" state={state} type="number" required />
        <Field name="shape" label="Shape" state={state} placeholder="20000×11×11" required />
      </div>
      <Field
        name="sha256"
        label="sha256"
        state={state}
        hint="On the edge host, `npm run agent -- inspect /path/file.h5` prints bytes, samples, shape and sha256."
        required
      />
      <FormMessage state={state} />
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Registering…" : "Register dataset"}
      </button>
    </form>
  );
}
