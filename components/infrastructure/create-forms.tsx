"use client";

import { useActionState } from "react";
import { createTrainerAction } from "@/lib/actions/create-trainer";
import { createEdgeHostAction } from "@/lib/actions/create-edge-host";
import { initialActionState } from "@/lib/actions/action-state";
import { Field, FormMessage } from "@/components/forms/field";

export function CreateTrainerForm() {
  const [state, action, pending] = useActionState(createTrainerAction, initialActionState);
  return (
    <form action={action} className="row" aria-label="Register trainer">
      <Field name="name" label="Name" state={state} placeholder="polaris" required />
      <Field name="site" label="Site" state={state} placeholder="ALCF" required />
      <Field name="hardware" label="Hardware" state={state} placeholder="4×A100 per node" required />
      <Field
        name="executor"
        label="Executor"
        state={state}
        options={[
          { value: "local", label: "local process" },
          { value: "slurm", label: "Slurm" },
        ]}
        required
      />
      <Field name="concurrency" label="Concurrent runs" state={state} type="number" defaultValue="1" required />
      <Field name="nodes" label="Nodes per run" state={state} type="number" defaultValue="1" required />
      <Field name="tasksPerNode" label="Tasks per node" state={state} type="number" defaultValue="1" required />
      <Field name="gpusPerNode" label="GPUs per node" state={state} type="number" defaultValue="0" required />
      <button type="submit" disabled={pending}>
        Register trainer
      </button>
      <FormMessage state={state} />
    </form>
  );
}

export function CreateEdgeHostForm() {
  const [state, action, pending] = useActionState(createEdgeHostAction, initialActionState);
  return (
    <form action={action} className="row" aria-label="Register edge host">
      <Field name="name" label="Name" state={state} placeholder="1-ID-edge" required />
      <Field name="site" label="Site" state={state} placeholder="APS" required />
      <Field name="description" label="Description" state={state} />
      <button type="submit" disabled={pending}>
        Register edge host
      </button>
      <FormMessage state={state} />
    </form>
  );
}
