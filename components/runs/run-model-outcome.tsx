"use client";

import Link from "next/link";
import type { QueryKey } from "@tanstack/react-query";
import type { RunView } from "@/lib/server/runs/get-run-view";
import { deployAnywayAction } from "@/lib/actions/deploy-anyway";
import { actionStateOf, useActionMutation } from "@/components/query/use-action-mutation";
import { PRIMARY_METRIC, type GatedFamily } from "@/lib/flow/deploy-gate";

type Version = NonNullable<RunView["modelVersion"]>;

/**
 * What became of the run's model: in service, retired since, or held back by the deploy gate because it
 * measured worse than the model in service. A held-back version shows both models' figures on the same
 * held-out samples and, for those who may launch runs, "Deploy anyway".
 */
export function RunModelOutcome({
  run,
  version,
  mayDeploy,
  invalidates,
}: {
  run: Pick<RunView, "family" | "edgeHost">;
  version: Version;
  mayDeploy: boolean;
  invalidates: QueryKey;
}) {
  const deploy = useActionMutation(deployAnywayAction, [invalidates]);
  const outcome = deploy.isIdle || deploy.isPending ? null : actionStateOf(deploy);
  const gate = version.gate;
  const link = (
    <Link href={`/models/${run.family.key}#v${version.version}`}>
      {run.family.name} v{version.version}
    </Link>
  );
  if (!gate?.heldBack || gate.deployedAnywayAtMs !== null) {
    const state = version.active
      ? `deployed on ${run.edgeHost}${gate?.deployedAnywayAtMs ? " (deployed anyway, after it was held back)" : ""}`
      : "registered (no longer the active deployment)";
    // A comparison made at deploy time, e.g. "(new 0.120 px vs in service v2 0.147 px)".
    const compared = gate && gate.inServiceVersion !== null && !gate.heldBack ? ` (${gate.reason.replace(/^deployed: /, "")})` : "";
    return (
      <p className="alert ok" style={{ marginTop: 12 }}>
        Model {link} {state}
        {compared}.
      </p>
    );
  }
  const { format, label } = PRIMARY_METRIC[run.family.key as GatedFamily] ?? {
    format: (v: number) => v.toPrecision(3),
    label: gate.metric,
  };
  const shown = (value: number | null | undefined) => (value == null ? "—" : format(value));
  const others = Object.keys(version.metrics).filter((k) => k !== gate.metric && gate.inServiceMetrics?.[k] != null);
  return (
    <section className="alert warn" style={{ marginTop: 12 }} aria-label="Held back">
      <p style={{ marginTop: 0 }}>
        Model {link} <b>{gate.reason}</b>. It is registered and verified on {run.edgeHost}
        {gate.comparisonHolds ? `; v${gate.inServiceVersion} stays in service.` : "."}
      </p>
      <table aria-label="New version against the one in service">
        <thead>
          <tr>
            <th>Same held-out samples</th>
            <th className="num">new v{version.version}</th>
            <th className="num">in service v{gate.inServiceVersion}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <b>{label}</b> (lower is better)
            </td>
            <td className="num">
              <b>{shown(gate.newValue)}</b>
            </td>
            <td className="num">
              <b>{shown(gate.inServiceValue)}</b>
            </td>
          </tr>
          {others.map((k) => (
            <tr key={k}>
              <td className="mono small">{k}</td>
              <td className="num mono small">{version.metrics[k].toPrecision(3)}</td>
              <td className="num mono small">{gate.inServiceMetrics![k].toPrecision(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!gate.comparisonHolds && (
        <p className="small" style={{ marginBottom: 0 }}>
          v{gate.inServiceVersion} is no longer the model in service, so this comparison no longer holds: retrain to compare again.
        </p>
      )}
      {mayDeploy && gate.comparisonHolds && (
        <p className="row" style={{ marginBottom: 0 }}>
          <button className="danger" disabled={deploy.isPending} onClick={() => deploy.mutate(version.id)}>
            {deploy.isPending ? "Deploying…" : "Deploy anyway"}
          </button>
          <span className="small muted">
            replaces v{gate.inServiceVersion} on {run.edgeHost} with this version
          </span>
        </p>
      )}
      {outcome?.message && (
        <p className={`small ${outcome.ok ? "muted" : "field-error"}`} role={outcome.ok ? "status" : "alert"}>
          {outcome.message}
        </p>
      )}
    </section>
  );
}
