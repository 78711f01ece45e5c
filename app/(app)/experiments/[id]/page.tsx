import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser, isExperimentMember } from "@/lib/auth/session";
import { can, type Actor } from "@/lib/auth/permissions";
import { getExperiment } from "@/lib/server/experiments/get-experiment";
import { formatBytes } from "@/lib/cost-model/format";
import { isHeldBack } from "@/lib/flow/deploy-gate";
import { RunsTable } from "@/components/runs/runs-table";
import { RetrainLauncher } from "@/components/runs/retrain-launcher";
import { prisma } from "@/lib/db";
import { listDriftAlerts, loadDriftSeries, loadReuse } from "@/lib/server/drift/load-drift";
import { mayEditDriftPolicy } from "@/lib/drift/policy";
import { DriftSection } from "@/components/drift/drift-section";

export const metadata: Metadata = { title: "Experiment" };

export default async function ExperimentPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ retrain?: string | string[] }>;
}) {
  const { id } = await params;
  const { retrain } = await searchParams;
  const user = await requireUser();
  const experiment = await getExperiment({ actor: user, experimentId: id });
  if (!experiment) notFound();
  const member = await isExperimentMember(user.id, experiment.id);
  const mayLaunch = can(user, "run:launch", member);
  const launcher = mayLaunch ? await launcherProps(user, experiment) : null;
  const [drift, driftAlerts] = await Promise.all([
    loadDriftSeries({ actor: user, experimentId: experiment.id }),
    listDriftAlerts({ actor: user, experimentId: experiment.id }),
  ]);

  return (
    <>
      <div className="spread">
        <div>
          <h1>{experiment.name}</h1>
          <p className="muted">
            {experiment.beamline} · {experiment.technique} · PI {experiment.pi.name} · beamtime{" "}
            <span className="mono">
              {experiment.beamtimeStart.toISOString().slice(0, 10)} → {experiment.beamtimeEnd.toISOString().slice(0, 10)}
            </span>
          </p>
        </div>
        <div className="row">
          <Link className="button" href={`/experiments/${experiment.id}/data`}>
            Data roots
          </Link>
          {mayLaunch ? (
            launcher && (
              <RetrainLauncher experimentId={experiment.id} {...launcher} presetDatasetId={typeof retrain === "string" ? retrain : null} />
            )
          ) : (
            <span className="small muted" title="Your role cannot launch runs">
              Read-only: your role cannot launch retrains
            </span>
          )}
        </div>
      </div>
      {experiment.description && <p>{experiment.description}</p>}
      {drift && <DriftSection series={drift} alerts={driftAlerts} mayEditPolicy={mayEditDriftPolicy(user, experiment)} />}

      <h2>Datasets</h2>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Family</th>
            <th>Kind</th>
            <th>Edge host · path</th>
            <th className="num">Samples</th>
            <th className="num">Size</th>
            <th>sha256</th>
          </tr>
        </thead>
        <tbody>
          {experiment.datasets.map((d) => (
            <tr key={d.id} id={`dataset-${d.id}`}>
              <td>{d.name}</td>
              <td>{d.familyKey}</td>
              <td>{d.kind}</td>
              <td className="mono small">
                {d.edgeHost.name}:{d.path}
              </td>
              <td className="num">{d.sampleCount.toLocaleString("en")}</td>
              <td className="num">{formatBytes(Number(d.bytes))}</td>
              <td className="mono small" title={d.sha256}>
                {d.sha256.slice(0, 12)}…
              </td>
            </tr>
          ))}
          {experiment.datasets.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No datasets yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>

      <h2>Model versions</h2>
      <table>
        <thead>
          <tr>
            <th>Model</th>
            <th>Parent</th>
            <th>Metrics</th>
            <th>Deployed on</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {experiment.modelVersions.map((v) => (
            <tr key={v.id}>
              <td>
                <Link href={`/models/${v.family.key}#v${v.version}`}>
                  {v.family.name} v{v.version}
                </Link>
              </td>
              <td>{v.parent ? `v${v.parent.version}` : "—"}</td>
              <td className="mono small">{summariseMetrics(v.metrics)}</td>
              <td>
                {v.deployments.map((d) => d.edgeHost.name).join(", ") ||
                  (isHeldBack(v.deployDecision) && v.runId ? (
                    <Link href={`/runs/${v.runId}`} className="small" title="Open the run to compare and deploy anyway">
                      <span className="badge warn">{v.deployDecision!.reason}</span>
                    </Link>
                  ) : (
                    "—"
                  ))}
              </td>
              <td className="mono small">{v.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td>
            </tr>
          ))}
          {experiment.modelVersions.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No model trained for this experiment yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>

      <h2>Runs</h2>
      <RunsTable runs={experiment.runs} empty="No runs yet." />
    </>
  );
}

async function launcherProps(user: Actor, experiment: NonNullable<Awaited<ReturnType<typeof getExperiment>>>) {
  const datasets = experiment.datasets.map((d) => ({
    id: d.id,
    name: d.name,
    familyKey: d.familyKey,
    kind: d.kind,
    bytes: Number(d.bytes),
    sampleCount: d.sampleCount,
    edgeHostId: d.edgeHostId,
  }));
  const [families, reuse] = await Promise.all([
    prisma.modelFamily.findMany({ select: { key: true, defaultHyperParameters: true } }),
    loadReuse({ actor: user, experimentId: experiment.id, familyKeys: [...new Set(datasets.map((d) => d.familyKey))] }),
  ]);
  const defaults = Object.fromEntries(
    families.map((f) => [f.key, f.defaultHyperParameters as { epochs: number; batchSize: number; learningRate: number }]),
  );
  return { datasets, defaults, reuse };
}

function summariseMetrics(metrics: unknown): string {
  if (!metrics || typeof metrics !== "object") return "—";
  return Object.entries(metrics as Record<string, unknown>)
    .filter(([, v]) => typeof v === "number")
    .slice(0, 4)
    .map(([k, v]) => `${k} ${(v as number).toPrecision(3)}`)
    .join(" · ");
}
