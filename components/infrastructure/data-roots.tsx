"use client";

import { useActionState, useState, useTransition } from "react";
import { addDataRootAction } from "@/lib/actions/add-data-root";
import { removeDataRootAction } from "@/lib/actions/remove-data-root";
import { initialActionState } from "@/lib/actions/action-state";
import { Field, FormMessage } from "@/components/forms/field";

export interface DataRootRow {
  id: string;
  path: string;
  experiment: { name: string };
  createdBy: { name: string };
}

/** An edge host's data roots (folders that hold one experiment's data), with staff controls to add and remove them. */
export function DataRoots({
  edgeHostId,
  roots,
  experiments,
}: {
  edgeHostId: string;
  roots: DataRootRow[];
  experiments: { id: string; name: string }[];
}) {
  const [state, action, adding] = useActionState(addDataRootAction, initialActionState);
  const [removing, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <>
      <table aria-label="Data roots">
        <thead>
          <tr>
            <th>Data root</th>
            <th>Experiment</th>
            <th>Declared by</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {roots.map((r) => (
            <tr key={r.id}>
              <td className="mono small">{r.path}</td>
              <td>{r.experiment.name}</td>
              <td className="small muted">{r.createdBy.name}</td>
              <td>
                <button
                  className="small"
                  disabled={removing}
                  onClick={() =>
                    confirm(`Remove data root ${r.path}? New datasets can no longer be registered from it.`) &&
                    start(async () => setMessage((await removeDataRootAction(r.id)).message ?? null))
                  }
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
          {roots.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No data root: no dataset can be registered on this edge host.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {message && <p className="small muted">{message}</p>}
      <form action={action} className="row" aria-label="Add data root">
        <input type="hidden" name="edgeHostId" value={edgeHostId} />
        <Field
          name="experimentId"
          label="Experiment"
          state={state}
          options={experiments.map((e) => ({ value: e.id, label: e.name }))}
          required
        />
        <Field name="path" label="Folder on the edge host" state={state} placeholder="/data/hedm" required />
        <button type="submit" disabled={adding}>
          Add data root
        </button>
        <FormMessage state={state} />
      </form>
    </>
  );
}
