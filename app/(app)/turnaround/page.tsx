import type { Metadata } from "next";
import { Kpi } from "@/components/ui/kpi";
import { SelectFilter } from "@/components/forms/select-filter";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { formatDuration } from "@/lib/cost-model/format";
import { PAPER_TABLE_ONE } from "@/lib/cost-model/paper";
import { median } from "@/lib/cost-model/stats";
import { TABLE_ONE_COMPONENTS } from "@/lib/flow/breakdown";
import {
  endToEndSeries,
  medianTurnaroundPerBeamtime,
  medianTurnaroundPerExperiment,
  timeSavedAgainstBaseline,
  trainerBreakdown,
  type GroupTurnaround,
} from "@/lib/cost-model/turnaround";
import { getTurnaroundData } from "@/lib/server/turnaround/get-turnaround";
import { DEFAULT_WINDOW_DAYS, TURNAROUND_WINDOWS, parseTurnaroundParams, queryString } from "@/lib/turnaround/params";
import { TurnaroundBreakdownChart } from "@/components/cost-model/TurnaroundBreakdownChart";
import { EndToEndChart } from "@/components/cost-model/EndToEndChart";
import { LiveRefresh } from "@/components/cost-model/LiveRefresh";
import { StepSwatch } from "@/components/runs/step-swatch";

export const metadata: Metadata = { title: "Turnaround" };
export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;

const windowLabel = (days: number) => (days === 0 ? "all time" : `last ${days} days`);

export default async function TurnaroundPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requireUser();
  const params = parseTurnaroundParams(await searchParams);
  const data = await getTurnaroundData({ actor: user, params });
  const { runs } = data;

  const breakdown = trainerBreakdown(runs);
  const series = endToEndSeries(runs);
  const perExperiment = medianTurnaroundPerExperiment(runs);
  const perBeamtime = medianTurnaroundPerBeamtime(runs);
  // Default baseline: the slowest trainer by median end-to-end (the paper compares against the local GPU).
  const baselineId =
    params.baseline && breakdown.some((b) => b.trainerId === params.baseline) ? params.baseline : breakdown.at(-1)?.trainerId;
  const saved = baselineId ? timeSavedAgainstBaseline(runs, baselineId) : null;
  const baselineName = data.trainers.find((t) => t.id === baselineId)?.name ?? baselineId;
  const succeeded = series.length;
  const medianAll = median(series.map((p) => p.endToEndSeconds));
  const filters = { experiment: params.experiment, trainer: params.trainer, days: params.days, baseline: params.baseline };
  const csvHref = `/api/turnaround/csv${queryString({ experiment: params.experiment, trainer: params.trainer, days: params.days })}`;

  return (
    <>
      <div className="spread">
        <div>
          <h1>Turnaround: how long a retrain takes, click to deployed model</h1>
          <p className="muted" style={{ marginTop: -6 }}>
            End-to-end = from the launch click to the validated model on the edge host, queue wait included (the paper&apos;s Table 1 leaves
            queueing out). A model that measured worse than the one in service is validated there but held back until someone deploys it
            anyway.
          </p>
        </div>
        <div className="row">
          <LiveRefresh src="/api/cost-model/events" />
          <a className="button" href={csvHref} download>
            Download CSV
          </a>
        </div>
      </div>

      <form className="row" method="get" aria-label="Filter turnaround" style={{ marginBottom: 12 }}>
        <SelectFilter
          name="experiment"
          label="Experiment"
          value={params.experiment}
          anyLabel={`all you can see (${data.experiments.length})`}
          options={data.experiments.map((e) => ({ value: e.id, label: e.name }))}
        />
        <SelectFilter
          name="trainer"
          label="Trainer"
          value={params.trainer}
          anyLabel="any"
          options={data.trainers.map((t) => ({ value: t.id, label: t.name }))}
        />
        <label>
          Window
          <select name="days" defaultValue={String(params.days)}>
            {TURNAROUND_WINDOWS.map((d) => (
              <option key={d} value={d}>
                {windowLabel(d)}
              </option>
            ))}
          </select>
        </label>
        <SelectFilter
          name="baseline"
          label="Baseline for time saved"
          value={baselineId}
          options={data.trainers.map((t) => ({ value: t.id, label: t.name }))}
        />
        <button type="submit">Apply</button>
        {(params.experiment || params.trainer || params.baseline || params.days !== DEFAULT_WINDOW_DAYS) && (
          <Link href="/turnaround">Clear</Link>
        )}
      </form>

      {data.truncated && (
        <p className="alert warn small">
          More than {data.limit.toLocaleString("en-US")} runs match: figures below use the newest {data.limit.toLocaleString("en-US")}.
          Narrow the window or filters, or download the CSV for every run.
        </p>
      )}

      {runs.length === 0 ? (
        <div className="panel">
          <h2 style={{ marginTop: 0 }}>No runs in {windowLabel(params.days)}</h2>
          <p className="muted">
            {data.experiments.length === 0
              ? "You are not a member of any experiment yet. Ask the experiment's PI to add you; its runs then appear here."
              : "Nothing was launched in the experiments you can see with these filters. Widen the window or clear the filters; retrains are launched from an experiment page."}
          </p>
        </div>
      ) : (
        <>
          <div className="grid" style={{ marginBottom: 12 }}>
            <Kpi
              label={`Runs, ${windowLabel(params.days)}`}
              value={runs.length.toLocaleString("en-US")}
              sub={`${succeeded} delivered a model`}
            />
            <Kpi label="Median end-to-end" value={medianAll === null ? "—" : formatDuration(medianAll)} sub="over succeeded runs" />
            <Kpi
              label={`Time saved vs ${baselineName ?? "—"}`}
              value={saved && saved.baselineMedianSeconds !== null ? formatDuration(saved.totalSavedSeconds) : "—"}
              sub={
                saved
                  ? `${saved.runsCompared} runs elsewhere; ${saved.baselineMedianSeconds === null ? "baseline never succeeded" : `baseline median ${formatDuration(saved.baselineMedianSeconds)} over ${saved.baselineRuns} runs`}`
                  : "no finished runs"
              }
            />
          </div>

          <section className="panel" style={{ marginBottom: 12 }}>
            <h2 style={{ marginTop: 0 }}>End-to-end per run over time</h2>
            <EndToEndChart points={series.map((p) => ({ endedAtMs: p.endedAtMs, seconds: p.endToEndSeconds, series: p.trainerName }))} />
            <p className="muted small">
              Succeeded runs only (failed and canceled runs delivered no model), by completion time; logarithmic time axis.
            </p>
          </section>

          <section className="panel" style={{ marginBottom: 12 }}>
            <h2 style={{ marginTop: 0 }}>Where the time goes, per trainer (like the paper&apos;s Table 1)</h2>
            {breakdown.length === 0 ? (
              <p className="muted">No run has succeeded in this window yet, so there is no breakdown. Failed runs are listed in the CSV.</p>
            ) : (
              <>
                <table>
                  <thead>
                    <tr>
                      <th>Trainer</th>
                      <th className="num">Runs</th>
                      {TABLE_ONE_COMPONENTS.map((c) => (
                        <th key={c.key} className="num">
                          {c.color && <StepSwatch color={c.color} />}
                          {c.label}
                        </th>
                      ))}
                      <th className="num">End-to-end</th>
                    </tr>
                  </thead>
                  <tbody>
                    {breakdown.map((b) => (
                      <tr key={b.trainerId}>
                        <td>{b.trainerName}</td>
                        <td className="num">{b.runs}</td>
                        {TABLE_ONE_COMPONENTS.map((c) => (
                          <td key={c.key} className="num">
                            {formatDuration(b.median[c.key])}
                          </td>
                        ))}
                        <td className="num">
                          <strong>{formatDuration(b.median.endToEndSeconds)}</strong>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="muted small">
                  Medians over each trainer&apos;s succeeded runs; a column&apos;s median need not add up to the median end-to-end. Data
                  transfer = stage-in, model transfer = stage-out, control overhead = end-to-end minus the steps (dispatch and bookkeeping).
                </p>
                <TurnaroundBreakdownChart trainers={breakdown} />
              </>
            )}
            <details>
              <summary className="small muted">The paper&apos;s Table 1, for comparison</summary>
              <table style={{ marginTop: 8 }}>
                <thead>
                  <tr>
                    <th>Network</th>
                    <th>Mode</th>
                    <th className="num">Data transfer</th>
                    <th className="num">Model training</th>
                    <th className="num">Model transfer</th>
                    <th className="num">End-to-end</th>
                  </tr>
                </thead>
                <tbody>
                  {PAPER_TABLE_ONE.map((r) => (
                    <tr key={`${r.family}-${r.trainer}`}>
                      <td>{r.family}</td>
                      <td>{r.trainer}</td>
                      <td className="num">{r.dataTransfer ? `${r.dataTransfer} s` : "N/A"}</td>
                      <td className="num">{r.training} s</td>
                      <td className="num">{r.modelTransfer ? `${r.modelTransfer} s` : "N/A"}</td>
                      <td className="num">{r.endToEnd} s</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </section>

          <div className="grid" style={{ marginBottom: 12 }}>
            <GroupTable title="Median turnaround per experiment" first="Experiment" rows={perExperiment} />
            <GroupTable
              title="Median turnaround per beamtime"
              first="Beamtime (beamline · window)"
              rows={perBeamtime}
              note="A run counts toward its experiment's beamtime when launched inside the window; others are “(no beamtime)”."
            />
          </div>

          {saved && (
            <section className="panel">
              <h2 style={{ marginTop: 0 }}>Time saved against {baselineName}</h2>
              {saved.baselineMedianSeconds === null ? (
                <p className="muted">
                  {baselineName} has no succeeded run in this window, so there is nothing to compare against. Pick another baseline above,
                  or widen the window.
                </p>
              ) : (
                <>
                  <p className="small">
                    For each succeeded run on another trainer: {baselineName}&apos;s median end-to-end (
                    {formatDuration(saved.baselineMedianSeconds)}, {saved.baselineRuns} runs) minus the run&apos;s own end-to-end. Negative
                    means slower than the baseline.
                  </p>
                  <table>
                    <thead>
                      <tr>
                        <th>Trainer</th>
                        <th className="num">Runs</th>
                        <th className="num">Saved in total</th>
                        <th className="num">Saved per run</th>
                      </tr>
                    </thead>
                    <tbody>
                      {saved.perTrainer.map((t) => (
                        <tr key={t.trainerId}>
                          <td>{t.trainerName}</td>
                          <td className="num">{t.runs}</td>
                          <td className="num">{formatDuration(t.savedSeconds)}</td>
                          <td className="num">{formatDuration(t.savedSeconds / t.runs)}</td>
                        </tr>
                      ))}
                      {saved.perTrainer.length === 0 && (
                        <tr>
                          <td colSpan={4} className="muted">
                            Every succeeded run in this window ran on the baseline itself.
                          </td>
                        </tr>
                      )}
                    </tbody>
                  </table>
                </>
              )}
            </section>
          )}
        </>
      )}
      <p className="muted small" style={{ marginTop: 12 }}>
        Only experiments you are a member or PI of are included{filters.experiment ? "" : ` (${data.experiments.length})`}. Per-run detail:{" "}
        <Link href={`/runs${queryString({ experiment: params.experiment, trainer: params.trainer })}`}>runs list</Link>.
      </p>
    </>
  );
}

function GroupTable({ title, first, rows, note }: { title: string; first: string; rows: GroupTurnaround[]; note?: string }) {
  return (
    <section className="panel">
      <h2 style={{ marginTop: 0 }}>{title}</h2>
      <table>
        <thead>
          <tr>
            <th>{first}</th>
            <th className="num">Runs</th>
            <th className="num">Succeeded</th>
            <th className="num">Median end-to-end</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.label}</td>
              <td className="num">{r.runs}</td>
              <td className="num">{r.retrains}</td>
              <td className="num">{r.medianEndToEndSeconds === null ? "—" : formatDuration(r.medianEndToEndSeconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {note && <p className="muted small">{note}</p>}
    </section>
  );
}
