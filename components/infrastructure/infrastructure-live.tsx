"use client";

import type { ReactNode } from "react";
import Link from "next/link";
import type { Json } from "@/lib/json";
import type { listEdgeHosts, listTrainers } from "@/lib/server/infrastructure/list-infrastructure";
import { fetchJson, queryKeys } from "@/lib/query/keys";
import { useSeededQuery } from "@/components/query/use-seeded-query";
import { AgentTable } from "@/components/infrastructure/agent-table";
import { IssueTokenForm } from "@/components/infrastructure/issue-token-form";

export type TrainersData = Json<Awaited<ReturnType<typeof listTrainers>>>;
export type EdgeHostsData = Json<Awaited<ReturnType<typeof listEdgeHosts>>>;

// Agent health is a heartbeat's age, so it changes with nothing to announce it: refetched on this beat.
// Queues also refetch at once when a run changes state (components/query/live-run-changes.tsx).
const HEALTH_REFRESH_MS = 5_000;

/** Per-host panels rendered on the server (calibrations, data roots), placed under the host's agents. */
type HostPanels = Record<string, ReactNode>;

export function TrainersLive({ initial, panels = {} }: { initial: TrainersData; panels?: HostPanels }) {
  const data = useSeededQuery({
    queryKey: queryKeys.trainers,
    queryFn: () => fetchJson<TrainersData>("/api/trainers"),
    initial,
    refetchInterval: HEALTH_REFRESH_MS,
  });
  return data.trainers.map((t) => (
    <section key={t.id} className="panel" style={{ marginBottom: 12 }} aria-label={`Trainer ${t.name}`}>
      <div className="spread">
        <h2 style={{ margin: 0 }}>
          {t.name}{" "}
          <span className="small muted">
            {t.site} · {t.hardware} · {t.executor}
          </span>
        </h2>
        <div className="row small">
          <span>
            running <b>{t.running}</b>/{t.concurrency}
          </span>
          <span>
            queued <b>{t.queued}</b>
          </span>
          <span>
            utilisation (24 h) <b>{(100 * t.utilisation).toFixed(1)}%</b>
          </span>
          <Link href={`/runs?trainer=${t.id}`}>runs →</Link>
        </div>
      </div>
      <AgentTable agents={t.agents} nowMs={data.checkedAtMs} invalidates={queryKeys.trainers} />
      {panels[t.id]}
      <IssueTokenForm kind="trainer" targetId={t.id} />
    </section>
  ));
}

export function EdgeHostsLive({ initial, panels = {} }: { initial: EdgeHostsData; panels?: HostPanels }) {
  const data = useSeededQuery({
    queryKey: queryKeys.edgeHosts,
    queryFn: () => fetchJson<EdgeHostsData>("/api/edge-hosts"),
    initial,
    refetchInterval: HEALTH_REFRESH_MS,
  });
  return data.edgeHosts.map((h) => (
    <section key={h.id} className="panel" style={{ marginBottom: 12 }} aria-label={`Edge host ${h.name}`}>
      <div className="spread">
        <h2 style={{ margin: 0 }}>
          {h.name}{" "}
          <span className="small muted">
            {h.site} · {h._count.datasets} datasets
          </span>
        </h2>
        <span className="small">
          deployed: {h.deployments.map((d) => `${d.modelVersion.family.name} v${d.modelVersion.version}`).join(", ") || "nothing"}
          {h.deployDecisions.length > 0 &&
            ` · held back (worse than in service): ${h.deployDecisions.map((d) => `${d.modelVersion.family.name} v${d.modelVersion.version}`).join(", ")}`}
        </span>
      </div>
      <AgentTable agents={h.agents} nowMs={data.checkedAtMs} invalidates={queryKeys.edgeHosts} />
      {panels[h.id]}
      <IssueTokenForm kind="edge" targetId={h.id} />
    </section>
  ));
}
