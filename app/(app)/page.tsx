import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { listRuns } from "@/lib/server/runs/list-runs";
import { listExperiments } from "@/lib/server/experiments/list-experiments";
import { StatusBadge } from "@/components/runs/run-status-badge";
import { RunsTable } from "@/components/runs/runs-table";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const user = await requireUser();
  const [{ runs }, experiments] = await Promise.all([listRuns({ actor: user, filters: { page: 1 } }), listExperiments({ actor: user })]);
  const active = runs.filter((r) => r.status === "queued" || r.status === "running");
  return (
    <>
      <h1>Overview</h1>
      <div className="grid">
        <div className="panel">
          <h3>Active runs</h3>
          <div className="kpi">{active.length}</div>
          {active.slice(0, 5).map((r) => (
            <div key={r.id} className="small">
              <Link href={`/runs/${r.id}`}>#{r.number}</Link> <StatusBadge status={r.status} /> {r.family.name} on {r.trainer.name}
            </div>
          ))}
        </div>
        <div className="panel">
          <h3>Your experiments</h3>
          {experiments.slice(0, 6).map((e) => (
            <div key={e.id}>
              <Link href={`/experiments/${e.id}`}>{e.name}</Link> <span className="small muted">{e.beamline}</span>
            </div>
          ))}
          {experiments.length === 0 && <p className="muted small">None yet.</p>}
        </div>
      </div>
      <h2>Recent runs</h2>
      <RunsTable runs={runs.slice(0, 10)} empty="No runs yet: open an experiment and click Retrain." />
    </>
  );
}
