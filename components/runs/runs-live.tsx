"use client";

import { useSeededQuery } from "@/components/query/use-seeded-query";
import type { Json } from "@/lib/json";
import type { listRuns, RunFilters } from "@/lib/server/runs/list-runs";
import { fetchJson, queryKeys, runsUrl } from "@/lib/query/keys";
import { RunsTable } from "@/components/runs/runs-table";

export type RunsPageData = Json<Awaited<ReturnType<typeof listRuns>>>;

/** The runs list, kept current by the "runs changed" stream (components/query/live-run-changes.tsx). */
export function RunsLive({ filters, initial, empty }: { filters: RunFilters; initial: RunsPageData; empty: string }) {
  const data = useSeededQuery({
    queryKey: queryKeys.runs(filters),
    queryFn: () => fetchJson<RunsPageData>(runsUrl(filters)),
    initial,
  });
  return <RunsTable runs={data.runs} empty={empty} />;
}
