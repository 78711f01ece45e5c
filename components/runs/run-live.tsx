"use client";

import { useEffect, useState } from "react";
import Link from "next/link";
import { useQueryClient } from "@tanstack/react-query";
import { useSeededQuery } from "@/components/query/use-seeded-query";
import type { RunView } from "@/lib/server/runs/get-run-view";
import { RunTimeline } from "@/components/runs/run-timeline";
import { RankThroughput } from "@/components/runs/rank-throughput";
import { LossChart } from "@/components/runs/loss-chart";
import { StatusBadge } from "@/components/runs/run-status-badge";
import { StepSwatch } from "@/components/runs/step-swatch";
import { RunModelOutcome } from "@/components/runs/run-model-outcome";
import { actionStateOf, useActionMutation } from "@/components/query/use-action-mutation";
import { cancelRunAction } from "@/lib/actions/cancel-run";
import { retryRunAction } from "@/lib/actions/retry-run";
import { formatBytes, formatDuration, formatRate } from "@/lib/cost-model/format";
import { TERMINAL_RUN } from "@/lib/flow/plan";
import { stepLabel } from "@/lib/flow/steps";
import { TABLE_ONE_ROWS } from "@/lib/flow/breakdown";
import { fetchJson, queryKeys } from "@/lib/query/keys";
import { runTabTitle } from "@/lib/query/run-title";

type LiveView = RunView & { eventAtMs?: number };

export function RunLive({
  initial,
  mayCancel,
  mayRetry,
  mayDeploy,
}: {
  initial: RunView;
  mayCancel: boolean;
  mayRetry: boolean;
  /** May put a held-back version in service ("Deploy anyway"): who may launch runs in the experiment. */
  mayDeploy: boolean;
}) {
  const queryClient = useQueryClient();
  const key = queryKeys.run(initial.id);
  // The server's first paint seeds the cache; the run's event stream writes every later view into it.
  const run = useSeededQuery<LiveView>({
    queryKey: key,
    queryFn: () => fetchJson<LiveView>(`/api/runs/${initial.id}`),
    initial,
    staleTime: Infinity,
  });
  const [connected, setConnected] = useState(false);
  const [now, setNow] = useState(initial.nowMs);
  const cancel = useActionMutation(cancelRunAction, [key]);
  const retry = useActionMutation(retryRunAction, [key]);

  useEffect(() => {
    const source = new EventSource(`/api/runs/${initial.id}/events`);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.onmessage = (event) => {
      const view = JSON.parse(event.data) as LiveView;
      queryClient.setQueryData(queryKeys.run(initial.id), view);
    };
    return () => source.close();
  }, [initial.id, queryClient]);

  // The run's state in the browser tab while its page is open.
  useEffect(() => {
    document.title = runTabTitle(run);
  }, [run]);

  const terminal = TERMINAL_RUN.has(run.status);
  useEffect(() => {
    if (terminal) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [terminal]);

  const lastAction = [cancel, retry].filter((m) => !m.isIdle).sort((a, b) => b.submittedAt - a.submittedAt)[0];
  const outcome = lastAction && !lastAction.isPending ? actionStateOf(lastAction) : null;

  const liveEndToEnd = run.endedAtMs ? run.breakdown.endToEndSeconds : (now - run.createdAtMs) / 1000;
  const lastMetric = run.metrics.at(-1);
  const epochs = Number(run.params.epochs ?? 0);

  return (
    <>
      <div className="spread">
        <div>
          <h1>
            Run #{run.number} <StatusBadge status={run.status} />
          </h1>
          <p className="muted">
            {run.family.name} on <b>{run.trainer.name}</b> ({run.trainer.executor}) · dataset {run.dataset.name} (
            {run.dataset.sampleCount.toLocaleString("en")} samples, {formatBytes(run.dataset.bytes)}) from {run.edgeHost} ·{" "}
            <Link href={`/experiments/${run.experiment.id}`}>{run.experiment.name}</Link> · by {run.createdBy}
            {run.parentVersion !== null && ` · fine-tuned from v${run.parentVersion}`}
          </p>
          {run.reason && <p className="small">Reason: {run.reason}</p>}
        </div>
        <div className="row">
          <span className={`badge ${connected ? "ok" : "warn"}`} title="Server-sent events">
            {connected ? "live" : "reconnecting…"}
          </span>
          {mayCancel && !terminal && (
            <button className="danger" disabled={cancel.isPending || run.cancelRequested} onClick={() => cancel.mutate(run.id)}>
              {cancel.isPending || run.cancelRequested ? "Canceling…" : "Cancel run"}
            </button>
          )}
          {mayRetry && ["failed", "lost", "canceled"].includes(run.status) && (
            <button disabled={retry.isPending} onClick={() => retry.mutate(run.id)}>
              {retry.isPending ? "Retrying…" : "Retry from failed step"}
            </button>
          )}
        </div>
      </div>
      {run.statusReason && terminal && run.status !== "succeeded" && <p className="alert error">{run.statusReason}</p>}
      {outcome?.message && (
        <p className={`alert ${outcome.ok ? "ok" : "error"}`} role={outcome.ok ? "status" : "alert"}>
          {outcome.message}
        </p>
      )}

      <div className="grid">
        <div className="panel">
          <h3>Steps</h3>
          <RunTimeline run={run} nowMs={now} />
          <table>
            <tbody>
              {run.steps.map((s) => (
                <tr key={s.id}>
                  <td>
                    {stepLabel(s.name)}
                    {s.attempt > 1 && ` (attempt ${s.attempt})`}
                  </td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td className="num">
                    {s.seconds != null ? formatDuration(s.seconds) : s.startedAtMs ? formatDuration((now - s.startedAtMs) / 1000) : "—"}
                  </td>
                  <td className="small">
                    {s.error ?? progressText(s.detail) ?? gateText(s.detail) ?? (s.bytes ? formatBytes(s.bytes) : "")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="panel">
          <h3>Breakdown (paper Table 1) {run.predicted && <span className="muted">· predicted vs actual</span>}</h3>
          <table aria-label="Turnaround breakdown">
            <thead>
              <tr>
                <th>Part</th>
                <th className="num">Actual</th>
                <th className="num">Predicted</th>
              </tr>
            </thead>
            <tbody>
              {TABLE_ONE_ROWS.filter((r) => r.key !== "labellingSeconds" || run.breakdown.labellingSeconds > 0).map((r) => {
                const endToEnd = r.key === "endToEndSeconds";
                const actual = endToEnd ? liveEndToEnd : run.breakdown[r.key];
                const predicted = endToEnd ? run.predicted?.totalSeconds : r.step ? run.predicted?.steps[r.step]?.seconds : undefined;
                return (
                  <tr key={r.key}>
                    <td>
                      {r.color && <StepSwatch color={r.color} />}
                      {endToEnd ? <b>{r.label}</b> : r.label}
                    </td>
                    <td className="num">{actual != null ? formatDuration(actual) : "—"}</td>
                    <td className="num muted">{predicted != null ? formatDuration(predicted) : "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {run.transfers.length > 0 && (
            <>
              <h3>Transfers</h3>
              <table>
                <tbody>
                  {run.transfers.map((t) => (
                    <tr key={t.id}>
                      <td>{t.purpose}</td>
                      <td className="num">{formatBytes(t.bytes)}</td>
                      <td className="num">{t.seconds ? formatRate(t.bytes / t.seconds) : "—"}</td>
                      <td className="num small">{t.startupSeconds != null ? `S ${formatDuration(t.startupSeconds)}` : ""}</td>
                      <td>
                        <StatusBadge status={t.status} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      </div>

      <div className="panel" style={{ marginTop: 12 }}>
        <div className="spread">
          <h3>Training</h3>
          {lastMetric && (
            <span className="small mono">
              epoch {lastMetric.epoch}/{epochs} · loss {lastMetric.loss.toExponential(3)}
              {lastMetric.metrics.mean != null &&
                ` · mean error ${lastMetric.metrics.mean.toFixed(3)} px · p95 ${lastMetric.metrics.p95?.toFixed(3)} px`}
              {" · "}
              {Math.round(lastMetric.samplesPerSec).toLocaleString("en")} samples/s
            </span>
          )}
        </div>
        {lastMetric && <RankThroughput workers={run.workers} rankSamplesPerSec={lastMetric.rankSamplesPerSec} />}
        <LossChart metrics={run.metrics} family={run.family.key} />
      </div>

      {run.modelVersion && <RunModelOutcome run={run} version={run.modelVersion} mayDeploy={mayDeploy} invalidates={key} />}

      <h3>Log</h3>
      <div className="log" aria-label="Run log">
        {run.logs.length === 0
          ? "No log lines yet."
          : run.logs.map((l) => `${new Date(l.atMs).toISOString().slice(11, 23)} [${l.source}] ${l.line}`).join("\n")}
      </div>
    </>
  );
}

/** The deploy step's decision: "held back: new … vs in service …" or "deployed: …". */
function gateText(detail: Record<string, unknown> | null): string | null {
  const gate = detail?.gate as { reason?: string } | undefined;
  return gate?.reason ?? null;
}

function progressText(detail: Record<string, unknown> | null): string | null {
  const progress = detail?.progress as { done: number; total: number; note?: string } | undefined;
  if (!progress || !progress.total) return null;
  return `${progress.note ?? ""} ${Math.round((100 * progress.done) / progress.total)}%`;
}
