"use client";

import { useActionState, useMemo, useRef, useState } from "react";
import { launchRunAction } from "@/lib/actions/launch-run";
import { initialActionState } from "@/lib/actions/action-state";
import { FormMessage } from "@/components/forms/field";
import { predictLaunch } from "@/lib/cost-model/run-prediction";
import { recommendFastest } from "@/lib/cost-model/predict";
import { formatDuration, formatDurationWithUncertainty } from "@/lib/cost-model/format";
import { STEP_ORDER } from "@/lib/flow/steps";
import type { PredictionInputs } from "@/lib/server/predictions/get-prediction-inputs";

export interface LauncherDataset {
  id: string;
  name: string;
  familyKey: string;
  kind: string;
  bytes: number;
  sampleCount: number;
  edgeHostId: string;
}

interface Props {
  experimentId: string;
  datasets: LauncherDataset[];
  versions: { id: string; label: string; familyKey: string }[];
  defaults: Record<string, { epochs: number; batchSize: number; learningRate: number }>;
  inputs: PredictionInputs;
}

export function RetrainLauncher({ experimentId, datasets, versions, defaults, inputs }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [idempotencyKey, setIdempotencyKey] = useState("");
  const [state, action, pending] = useActionState(launchRunAction, initialActionState);
  const [datasetId, setDatasetId] = useState((datasets.find((d) => d.kind !== "raw") ?? datasets[0])?.id ?? "");
  const dataset = datasets.find((d) => d.id === datasetId);
  const family = dataset ? defaults[dataset.familyKey] : undefined;
  const [epochs, setEpochs] = useState<number>(family?.epochs ?? 10);
  const [maxSamples, setMaxSamples] = useState<string>("");
  const [trainerId, setTrainerId] = useState<string>("");

  const predictions = useMemo(() => {
    if (!dataset) return [];
    const choice = { dataset, epochs: Math.max(1, epochs || 1), maxSamples: maxSamples ? Number(maxSamples) : null };
    return inputs.trainers.map((t) => ({ trainer: t, prediction: predictLaunch(t, inputs, choice) }));
  }, [dataset, epochs, maxSamples, inputs]);
  // A trainer with measured runs is not out-ranked by one whose numbers are only the paper's (optimistic) defaults.
  const candidates = predictions.flatMap((p) => (p.prediction ? [p.prediction] : []));
  const measured = candidates.filter((p) => p.steps.train.source === "measured");
  const fastest = recommendFastest(measured.length ? measured : candidates);
  const chosenTrainer = trainerId || fastest?.trainerId || inputs.trainers[0]?.trainerId || "";

  function open() {
    // One key per opened dialog: a double click or a resent form launches one run, not two.
    setIdempotencyKey(crypto.randomUUID());
    dialog.current?.showModal();
  }

  return (
    <>
      <button
        className="primary"
        onClick={open}
        disabled={datasets.length === 0}
        title={datasets.length ? undefined : "Register a dataset first"}
      >
        Retrain…
      </button>
      <dialog ref={dialog} aria-label="Retrain a model">
        <form action={action} className="stack" style={{ maxWidth: "none" }}>
          <div className="spread">
            <h2 style={{ margin: 0 }}>Retrain</h2>
            <button type="button" onClick={() => dialog.current?.close()} aria-label="Close">
              ✕
            </button>
          </div>
          <input type="hidden" name="experimentId" value={experimentId} />
          <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
          <input type="hidden" name="trainerId" value={chosenTrainer} />
          <label>
            Dataset
            <select
              name="datasetId"
              value={datasetId}
              onChange={(e) => {
                setDatasetId(e.target.value);
                const d = datasets.find((x) => x.id === e.target.value);
                if (d && defaults[d.familyKey]) setEpochs(defaults[d.familyKey].epochs);
              }}
            >
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({d.familyKey}, {d.sampleCount.toLocaleString("en")} samples{d.kind === "raw" ? ", needs labelling" : ""})
                </option>
              ))}
            </select>
          </label>

          <fieldset className="panel" style={{ padding: 8 }}>
            <legend className="small muted">Trainer — predicted end-to-end before launch</legend>
            <table aria-label="Predicted turnaround per trainer">
              <thead>
                <tr>
                  <th />
                  <th>Trainer</th>
                  <th className="num">Predicted</th>
                  {STEP_ORDER.map((s) => (
                    <th key={s.key} className="num">
                      {s.shortLabel}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {predictions.map(({ trainer, prediction }) => (
                  <tr key={trainer.trainerId}>
                    <td>
                      <input
                        type="radio"
                        name="trainerChoice"
                        aria-label={trainer.trainerName}
                        checked={chosenTrainer === trainer.trainerId}
                        onChange={() => setTrainerId(trainer.trainerId)}
                      />
                    </td>
                    <td>
                      {trainer.trainerName}{" "}
                      <span className="small muted">
                        {trainer.hardware} · {trainer.executor}
                        {!trainer.agentOnline && " · agent offline"}
                      </span>
                      {fastest?.trainerId === trainer.trainerId && (
                        <span className="badge ok" style={{ marginLeft: 6 }}>
                          fastest
                        </span>
                      )}
                    </td>
                    <td className="num" title={prediction?.basis.join("\n")}>
                      {prediction ? formatDurationWithUncertainty(prediction.totalSeconds, prediction.plusMinusSeconds) : "—"}
                      {prediction && Object.values(prediction.steps).some((step) => step?.source === "paper") && (
                        <div className="small muted">partly the paper&apos;s defaults: no runs measured yet</div>
                      )}
                    </td>
                    {STEP_ORDER.map(({ key }) => {
                      const step = prediction?.steps[key];
                      return (
                        <td key={key} className="num small" title={step ? `source: ${step.source}` : undefined}>
                          {step ? formatDuration(step.seconds) : "—"}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="small muted">Hover a prediction for where its numbers come from (measured runs or the paper&apos;s defaults).</p>
          </fieldset>

          <div className="row">
            <label>
              Epochs
              <input
                name="epochs"
                type="number"
                min={1}
                max={5000}
                value={epochs}
                onChange={(e) => setEpochs(Number(e.target.value))}
                required
              />
            </label>
            <label>
              Batch size
              <input
                name="batchSize"
                type="number"
                min={1}
                max={8192}
                defaultValue={family?.batchSize ?? 512}
                key={`b-${datasetId}`}
                required
              />
            </label>
            <label>
              Learning rate
              <input
                name="learningRate"
                type="number"
                step="any"
                min={0}
                defaultValue={family?.learningRate ?? 3e-4}
                key={`lr-${datasetId}`}
                required
              />
            </label>
            <label>
              Seed
              <input name="seed" type="number" min={0} defaultValue={0} />
            </label>
            <label>
              Max samples
              <input
                name="maxSamples"
                type="number"
                min={1}
                placeholder="all"
                value={maxSamples}
                onChange={(e) => setMaxSamples(e.target.value)}
              />
            </label>
          </div>
          <label>
            Fine-tune from
            <select name="parentVersionId" defaultValue="">
              <option value="">— train from scratch</option>
              {versions
                .filter((v) => v.familyKey === dataset?.familyKey)
                .map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.label}
                  </option>
                ))}
            </select>
          </label>
          <label>
            Reason (shown in the run list)
            <input name="reason" maxLength={500} placeholder="Sample rotated; peaks drifted" />
          </label>
          <FormMessage state={state} />
          {state.fieldErrors && (
            <ul className="field-error">
              {Object.entries(state.fieldErrors).map(([field, errors]) => (
                <li key={field}>
                  {field}: {errors.join(" ")}
                </li>
              ))}
            </ul>
          )}
          <div className="row">
            <button className="primary" type="submit" disabled={pending || !chosenTrainer}>
              {pending ? "Launching…" : "Launch retrain"}
            </button>
            <span className="small muted">The run is queued durably; you can close this page.</span>
          </div>
        </form>
      </dialog>
    </>
  );
}
