import type { Metadata } from "next";
import { Kpi } from "@/components/ui/kpi";
import { SelectFilter } from "@/components/forms/select-filter";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { formatDuration } from "@/lib/cost-model/format";
import type { ErrorSummary, PredictionErrorSummary, StepError } from "@/lib/cost-model/predict";
import { STEP_ORDER } from "@/lib/flow/steps";
import { RECENT_RUNS, getPredictionErrors } from "@/lib/server/turnaround/get-prediction-errors";
import { DEFAULT_PREDICTION_WINDOW, PREDICTION_WINDOWS, parsePredictionParams } from "@/lib/turnaround/params";
import { EndToEndChart } from "@/components/cost-model/EndToEndChart";
import { LiveRefresh } from "@/components/cost-model/LiveRefresh";
import { StepSwatch } from "@/components/runs/step-swatch";

export const metadata: Metadata = { title: "Prediction error" };
export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;

const share = (fraction: number | null) => (fraction === null ? "—" : `${Math.round(fraction * 100)} %`);
const pct = (value: number | null, signed = false) => (value === null ? "—" : `${signed && value > 0 ? "+" : ""}${value.toFixed(1)} %`);

export default async function PredictionsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requireUser();
  const params = parsePredictionParams(await searchParams);
  const data = await getPredictionErrors({ actor: user, params });
  const trainerName = data.trainers.find((t) => t.id === params.trainer)?.name;
  const total = data.overall.total;

  return (
    <>
      <div className="spread">
        <div>
          <h1>Prediction error: predicted vs. actual turnaround</h1>
          <p className="muted" style={{ marginTop: -6 }}>
            Before each launch the Retrain dialog predicts queue + stage-in + train + stage-out + deploy + control overhead with an 80 %
            interval (±). Here those predictions meet what the runs actually took.
          </p>
        </div>
        <LiveRefresh src="/api/cost-model/events" />
      </div>
      <form className="row" method="get" aria-label="Filter predictions" style={{ marginBottom: 12 }}>
        <SelectFilter
          name="trainer"
          label="Trainer"
          value={params.trainer}
          anyLabel="all"
          options={data.trainers.map((t) => ({ value: t.id, label: t.name }))}
        />
        <label>
          Over the last
          <select name="last" defaultValue={String(params.last)}>
            {PREDICTION_WINDOWS.map((n) => (
              <option key={n} value={n}>
                {n} runs
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply</button>
        {(params.trainer || params.last !== DEFAULT_PREDICTION_WINDOW) && <Link href="/predictions">Clear</Link>}
      </form>

      {data.runs.length === 0 ? (
        <div className="panel">
          <h2 style={{ marginTop: 0 }}>No predicted run has finished{trainerName ? ` on ${trainerName}` : ""} yet</h2>
          <p className="muted">
            A run appears here once it succeeded and was launched with a prediction (the Retrain dialog on an experiment page stores one).
            Only experiments you are a member or PI of are counted.
            {data.unreadable > 0 && ` ${data.unreadable} succeeded runs carry a prediction this page cannot read (older format).`}
          </p>
        </div>
      ) : (
        <>
          <div className="grid" style={{ marginBottom: 12 }}>
            <Kpi
              label="Mean absolute % error (MAPE), total"
              value={pct(total.meanAbsolutePercentageError)}
              sub={`over ${total.runs} runs${trainerName ? ` on ${trainerName}` : ""}`}
            />
            <Kpi
              label="Bias"
              value={pct(total.biasPercent, true)}
              sub={
                total.biasPercent === null
                  ? ""
                  : total.biasPercent > 0
                    ? "predictions too pessimistic (runs were faster)"
                    : "predictions too optimistic (runs were slower)"
              }
            />
            <Kpi
              label="Median absolute error"
              value={total.medianAbsoluteErrorSeconds === null ? "—" : formatDuration(total.medianAbsoluteErrorSeconds)}
              sub={`mean ${total.meanAbsoluteErrorSeconds === null ? "—" : formatDuration(total.meanAbsoluteErrorSeconds)}`}
            />
            <Kpi
              label="Interval coverage"
              value={pct(total.fractionWithinUncertainty === null ? null : total.fractionWithinUncertainty * 100)}
              sub="share of actuals inside their interval; ≈ 80 % when the intervals are honest"
            />
          </div>

          <section className="panel" style={{ marginBottom: 12 }}>
            <h2 style={{ marginTop: 0 }}>Error of the total over time</h2>
            <EndToEndChart
              points={data.runs
                .filter((r) => r.error.total.relativeError !== null)
                .map((r) => ({
                  endedAtMs: r.endedAt.getTime(),
                  seconds: (r.error.total.relativeError ?? 0) * 100,
                  series: `${r.trainerName} · ${r.familyName}`,
                }))}
              logScale={false}
              referenceZero
              yLabel="Error"
              yFormat="signed-percent"
              height={260}
            />
            <p className="muted small">
              (predicted − actual) ÷ actual of the end-to-end time, per run; above 0 the prediction was too slow, below too fast.
            </p>
          </section>

          <section className="panel" style={{ marginBottom: 12 }}>
            <h2 style={{ marginTop: 0 }}>Per trainer and model family</h2>
            <table aria-label="Prediction error per trainer and model family">
              <thead>
                <tr>
                  <th>Trainer · family</th>
                  <th className="num">Runs</th>
                  <th className="num">MAPE</th>
                  <th className="num">Bias</th>
                  <th className="num">Coverage</th>
                  <th className="num">MAPE, newest {RECENT_RUNS}</th>
                  <th className="num">Bias, newest {RECENT_RUNS}</th>
                  <th className="num">Coverage, newest {RECENT_RUNS}</th>
                </tr>
              </thead>
              <tbody>
                {data.perTrainerFamily.map((g) => (
                  <tr key={g.key}>
                    <td>{g.key}</td>
                    <td className="num">{g.all.runs}</td>
                    <td className="num">{pct(g.all.meanAbsolutePercentageError)}</td>
                    <td className="num">{pct(g.all.biasPercent, true)}</td>
                    <td className="num">{share(g.all.fractionWithinUncertainty)}</td>
                    <td className="num">{pct(g.recent.meanAbsolutePercentageError)}</td>
                    <td className="num">{pct(g.recent.biasPercent, true)}</td>
                    <td className="num">{share(g.recent.fractionWithinUncertainty)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section className="panel" style={{ marginBottom: 12 }}>
            <h2 style={{ marginTop: 0 }}>Per step and per trainer</h2>
            <SummaryTable title="All trainers" summary={data.overall} />
            {data.perTrainer.length > 1 &&
              data.perTrainer.map((t) => <SummaryTable key={t.trainerId} title={t.trainerName} summary={t.summary} />)}
            <p className="muted small">
              The predicted total covers the five steps; the actual total is end-to-end, so our own control overhead (seconds) counts as
              error. A step the run did not record is left out of that step&apos;s figures.
            </p>
          </section>

          <h2>Runs (newest first)</h2>
          <table>
            <thead>
              <tr>
                <th>Run</th>
                <th>Trainer</th>
                {STEP_ORDER.map((s) => (
                  <th key={s.key} className="num">
                    <StepSwatch color={s.color} />
                    {s.shortLabel}
                    <div className="small">pred. / actual</div>
                  </th>
                ))}
                <th className="num">Total predicted</th>
                <th className="num">Actual</th>
                <th className="num">Error</th>
              </tr>
            </thead>
            <tbody>
              {data.runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link href={`/runs/${r.id}`}>#{r.number}</Link>
                    <div className="small muted">
                      {r.familyName} · {r.experimentName}
                    </div>
                  </td>
                  <td>{r.trainerName}</td>
                  {STEP_ORDER.map((s) => (
                    <td key={s.key} className="num small">
                      <StepCell error={r.error.steps[s.key]} />
                    </td>
                  ))}
                  <td className="num">
                    {formatDuration(r.prediction.totalSeconds)}{" "}
                    <span className="muted small">± {formatDuration(r.prediction.plusMinusSeconds, 2)}</span>
                  </td>
                  <td className="num">{formatDuration(r.error.total.actualSeconds)}</td>
                  <td className="num">
                    <span
                      className={`badge ${r.error.total.withinUncertainty ? "ok" : "warn"}`}
                      title={r.error.total.withinUncertainty ? "inside the predicted interval" : "outside the predicted interval"}
                    >
                      {pct(r.error.total.relativeError === null ? null : r.error.total.relativeError * 100, true)}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.unreadable > 0 && <p className="muted small">{data.unreadable} runs with an unreadable stored prediction were left out.</p>}
        </>
      )}
    </>
  );
}

function StepCell({ error }: { error: StepError | undefined }) {
  if (!error) return <span className="muted">—</span>;
  return (
    <span title={error.withinUncertainty ? "inside the predicted ±" : "outside the predicted ±"}>
      {formatDuration(error.predictedSeconds)} / {formatDuration(error.actualSeconds)}
    </span>
  );
}

function SummaryTable({ title, summary }: { title: string; summary: PredictionErrorSummary }) {
  const rows: Array<[string, ErrorSummary, string?]> = [
    ...STEP_ORDER.flatMap((s) => {
      const error = summary.steps[s.key];
      return error ? [[s.shortLabel, error, s.color] as [string, ErrorSummary, string]] : [];
    }),
    ["Total (end-to-end)", summary.total],
  ];
  return (
    <>
      <h3>{title}</h3>
      <table style={{ marginBottom: 8 }}>
        <thead>
          <tr>
            <th>Step</th>
            <th className="num">Runs</th>
            <th className="num">MAPE</th>
            <th className="num">Bias</th>
            <th className="num">Median |error|</th>
            <th className="num">Coverage</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, s, color]) => (
            <tr key={label}>
              <td>
                {color && <StepSwatch color={color} />}
                {label}
              </td>
              <td className="num">{s.runs}</td>
              <td className="num">{pct(s.meanAbsolutePercentageError)}</td>
              <td className="num">{pct(s.biasPercent, true)}</td>
              <td className="num">{s.medianAbsoluteErrorSeconds === null ? "—" : formatDuration(s.medianAbsoluteErrorSeconds)}</td>
              <td className="num">{share(s.fractionWithinUncertainty)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
