"use client";

import Link from "next/link";
import { useSeededQuery } from "@/components/query/use-seeded-query";
import type { Json } from "@/lib/json";
import type { getOverview } from "@/lib/server/runs/get-overview";
import { fetchJson, queryKeys } from "@/lib/query/keys";
import { StatusBadge } from "@/components/runs/run-status-badge";
import { RunsTable } from "@/components/runs/runs-table";

export type OverviewData = Json<Awaited<ReturnType<typeof getOverview>>>;

/** The overview, kept current by the "runs changed" stream: a run starting or ending anywhere shows here. */
export function OverviewLive({ initial }: { initial: OverviewData }) {
  const data = useSeededQuery({ queryKey: queryKeys.overview, queryFn: () => fetchJson<OverviewData>("/api/overview"), initial });
  return (
    <>
      <div className="grid">
        <div className="panel">
          <h3>Active runs</h3>
          <div className="kpi" data-testid="active-runs">
            {data.activeCount}
          </div>
          {data.active.map((r) => (
            <div key={r.id} className="small">
              <Link href={`/runs/${r.id}`}>#{r.number}</Link> <StatusBadge status={r.status} /> {r.family.name} on {r.trainer.name}
            </div>
          ))}
          {data.activeCount > data.active.length && (
            <Link className="small" href="/runs">
              all runs →
            </Link>
          )}
        </div>
        <div className="panel">
          <h3>Your experiments</h3>
          {data.experiments.map((e) => (
            <div key={e.id}>
              <Link href={`/experiments/${e.id}`}>{e.name}</Link> <span className="small muted">{e.beamline}</span>
            </div>
          ))}
          {data.experiments.length === 0 && <p className="muted small">None yet.</p>}
        </div>
      </div>
      <h2>Recent runs</h2>
      <RunsTable runs={data.recent} empty="No runs yet: open an experiment and click Retrain." />
    </>
  );
}
