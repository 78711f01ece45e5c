import type { Metadata } from "next";
import { SelectFilter } from "@/components/forms/select-filter";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { listRuns, runFilters } from "@/lib/server/runs/list-runs";
import { listExperiments } from "@/lib/server/experiments/list-experiments";
import { RunsLive } from "@/components/runs/runs-live";
import { toJson } from "@/lib/json";

export const metadata: Metadata = { title: "Runs" };
export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;

export default async function RunsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requireUser();
  const raw = await searchParams;
  const filters = runFilters.parse(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
  const [runsPage, trainers, experiments] = await Promise.all([
    listRuns({ actor: user, filters }),
    prisma.trainer.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    listExperiments({ actor: user }),
  ]);
  const link = (change: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filters, ...change }))
      if (v !== undefined && v !== "" && !(k === "page" && v === 1)) next.set(k, String(v));
    const query = next.toString();
    return query ? `/runs?${query}` : "/runs";
  };
  return (
    <>
      <h1>Runs</h1>
      <form className="row" method="get" aria-label="Filter runs" style={{ marginBottom: 12 }}>
        <label>
          Status
          <select name="status" defaultValue={filters.status ?? ""}>
            <option value="">any</option>
            {["queued", "running", "succeeded", "failed", "canceled", "lost"].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <SelectFilter
          name="trainer"
          label="Trainer"
          value={filters.trainer}
          anyLabel="any"
          options={trainers.map((t) => ({ value: t.id, label: t.name }))}
        />
        <SelectFilter
          name="experiment"
          label="Experiment"
          value={filters.experiment}
          anyLabel="any"
          options={experiments.map((e) => ({ value: e.id, label: e.name }))}
        />
        <button type="submit">Filter</button>
      </form>
      <RunsLive filters={filters} initial={toJson(runsPage)} empty="No runs match." />
      <div className="row" style={{ marginTop: 8 }}>
        {filters.page > 1 && <Link href={link({ page: filters.page - 1 })}>← Newer</Link>}
        <span className="muted small">Page {filters.page}</span>
        {runsPage.hasNext && <Link href={link({ page: filters.page + 1 })}>Older →</Link>}
      </div>
    </>
  );
}
