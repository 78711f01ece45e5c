"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { launchRunAction } from "@/lib/actions/launch-run";
import { prepareTrainerAction } from "@/lib/actions/prepare-trainer";
import { initialActionState } from "@/lib/actions/action-state";
import { FormMessage } from "@/components/forms/field";
import { formatDuration, formatDurationWithUncertainty } from "@/lib/cost-model/format";
import { STEP_ORDER } from "@/lib/flow/steps";
import type { LaunchPredictions } from "@/lib/server/predictions/predict-launch";
import type { FamilyReuse } from "@/lib/server/drift/load-drift";
import { ReuseRanking } from "@/components/drift/reuse-ranking";
import { recommendedStart } from "@/lib/drift/start";

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
  defaults: Record<string, { epochs: number; batchSize: number; learningRate: number }>;
  /** earlier versions ranked per dataset by their spot-check error on it, and predicted fine-tune epochs */
  reuse: FamilyReuse;
  /** open at once on this dataset (the "Retrain recommended" link) */
  presetDatasetId?: string | null;
}

const SOURCE_LABEL = { runs: "fitted to runs", calibration: "from calibration", paper: "paper defaults" } as const;

/** The server's predictions for these inputs; the launch stores what the same server function returns. */
async function fetchPredictions(query: Record<string, string>): Promise<LaunchPredictions> {
  const response = await fetch(`/api/predictions?${new URLSearchParams(query)}`, { cache: "no-store" });
  const body = (await response.json()) as LaunchPredictions & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `Predictions failed (${response.status}).`);
  return body;
}

// How often the open dialog renews the Slurm trainer's standby job (it gives up 30 s after the last renewal).
const PREPARE_EVERY_MS = 10_000;

// A family without stored defaults (none is seeded so) still gets a usable form.
const FALLBACK_DEFAULTS = { epochs: 10, batchSize: 512 };

export function RetrainLauncher({ experimentId, datasets, defaults, reuse, presetDatasetId }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [opened, setOpened] = useState(false);
  const [idempotencyKey, setIdempotencyKey] = useState("");
  const [state, action, pending] = useActionState(launchRunAction, initialActionState);
  const preset = datasets.find((d) => d.id === presetDatasetId);
  const [datasetId, setDatasetId] = useState((preset ?? datasets.find((d) => d.kind !== "raw") ?? datasets[0])?.id ?? "");
  const dataset = datasets.find((d) => d.id === datasetId);
  const family = dataset ? defaults[dataset.familyKey] : undefined;
  // The best-ranked earlier version is pre-selected as the parent, with the epochs fine-tunes of the family needed.
  const initialStart = recommendedStart(reuse, dataset, family ?? FALLBACK_DEFAULTS);
  const [parentVersionId, setParentVersionId] = useState(initialStart.parentVersionId);
  const [epochs, setEpochs] = useState<number>(initialStart.epochs);
  const [batchSize, setBatchSize] = useState<number>(initialStart.batchSize);
  const [maxSamples, setMaxSamples] = useState<string>("");
  const [trainerId, setTrainerId] = useState<string>("");

  const valid = Boolean(dataset) && epochs >= 1 && batchSize >= 1 && (maxSamples === "" || Number(maxSamples) >= 1);
  const query = { experimentId, datasetId, epochs: String(epochs), batchSize: String(batchSize), maxSamples };
  const predictions = useQuery({
    queryKey: ["launch-predictions", query],
    queryFn: () => fetchPredictions(query),
    enabled: opened && valid,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
    // The queue ahead changes as other runs start and end: keep what is shown close to what the launch,
    // recomputing with the same function and inputs, will store.
    refetchInterval: 10_000,
  });
  // Arriving from "Retrain recommended": the dialog opens at once, pre-filled.
  const presetOpened = useRef(false);
  useEffect(() => {
    if (!preset || presetOpened.current) return;
    presetOpened.current = true;
    open();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, on arrival
  }, []);
  const rows = predictions.data?.trainers ?? [];
  const fastestId = predictions.data?.recommendedTrainerId ?? null;
  const chosenTrainer = trainerId || fastestId || rows[0]?.trainer.trainerId || "";
  const chosenOnSlurm = rows.some(({ trainer }) => trainer.trainerId === chosenTrainer && trainer.executor === "slurm");
  // While the dialog is open on a Slurm trainer, its agent keeps a job standing by for the launch (lib/flow/prepare-trainer.ts).
  const [standingBy, setStandingBy] = useState<{ trainerId: string; message: string } | null>(null);
  useEffect(() => {
    if (!opened || !chosenOnSlurm) return;
    const prepare = () =>
      void prepareTrainerAction({ experimentId, trainerId: chosenTrainer }).then(
        (answer) => setStandingBy(answer.ok && answer.message ? { trainerId: chosenTrainer, message: answer.message } : null),
        () => setStandingBy(null),
      );
    prepare();
    const timer = setInterval(prepare, PREPARE_EVERY_MS);
    return () => clearInterval(timer);
  }, [opened, chosenOnSlurm, chosenTrainer, experimentId]);

  function chooseStart(next: LauncherDataset | undefined, parentId: string | null) {
    const start = recommendedStart(reuse, next, (next && defaults[next.familyKey]) || FALLBACK_DEFAULTS, parentId);
    setParentVersionId(start.parentVersionId);
    setEpochs(start.epochs);
    setBatchSize(start.batchSize);
  }

  function open() {
    // One key per opened dialog: a double click or a resent form launches one run, not two.
    setIdempotencyKey(crypto.randomUUID());
    setOpened(true);
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
      <dialog ref={dialog} aria-label="Retrain a model" onClose={() => setOpened(false)}>
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
                chooseStart(d, null);
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
                {rows.map(({ trainer, prediction }) => (
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
                        {trainer.calibratedAt ? "" : " · not calibrated"}
                      </span>
                      {fastestId === trainer.trainerId && (
                        <span className="badge ok" style={{ marginLeft: 6 }}>
                          fastest
                        </span>
                      )}
                    </td>
                    <td className="num" title={prediction?.basis.join("\n")} data-testid={`prediction-${trainer.trainerName}`}>
                      {prediction ? formatDurationWithUncertainty(prediction.totalSeconds, prediction.plusMinusSeconds) : "—"}
                      {prediction && <div className="small muted">training {SOURCE_LABEL[prediction.steps.train.source]}</div>}
                    </td>
                    {STEP_ORDER.map(({ key }) => {
                      const step = prediction?.steps[key];
                      return (
                        <td key={key} className="num small" title={step?.note ?? undefined}>
                          {step ? formatDuration(step.seconds) : "—"}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="small muted" aria-live="polite">
              {predictions.isError
                ? predictions.error.message
                : predictions.isFetching
                  ? "Updating predictions…"
                  : "± is an 80 % interval from the residuals of each step's fit. Hover a number for where it comes from (calibration, runs, or the paper)."}
            </p>
            {chosenOnSlurm && standingBy?.trainerId === chosenTrainer && (
              <p className="small muted" data-testid="standby-note">
                {standingBy.message}
              </p>
            )}
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
                value={batchSize}
                onChange={(e) => setBatchSize(Number(e.target.value))}
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
            <select name="parentVersionId" value={parentVersionId} onChange={(e) => chooseStart(dataset, e.target.value)}>
              <option value="">— train from scratch</option>
              {reuse.candidates
                .filter((v) => v.familyKey === dataset?.familyKey)
                .map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.label}
                  </option>
                ))}
            </select>
          </label>
          <ReuseRanking reuse={reuse} dataset={dataset} parentVersionId={parentVersionId} />
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
