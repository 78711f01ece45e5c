import Link from "next/link";
import { StatusBadge } from "@/components/runs/run-status-badge";
import { formatDuration } from "@/lib/cost-model/format";

export interface RunRow {
  id: string;
  number: number;
  status: string;
  statusReason?: string | null;
  /** A Date on the server, its ISO string once it came through a route handler. */
  createdAt?: Date | string;
  queueSeconds?: number | null;
  endToEndSeconds: number | null;
  experiment?: { name: string };
  family: { name: string };
  dataset: { name: string };
  trainer: { name: string };
  createdBy?: { name: string };
}

/** The one runs table: overview, experiment page and runs list show the columns their rows carry. */
export function RunsTable({ runs, empty, label = "Runs" }: { runs: RunRow[]; empty: string; label?: string }) {
  const has = (key: keyof RunRow) => runs.some((r) => r[key] !== undefined);
  const columns = {
    experiment: has("experiment"),
    createdBy: has("createdBy"),
    createdAt: has("createdAt"),
    queue: has("queueSeconds"),
  };
  const span = 5 + Object.values(columns).filter(Boolean).length;
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          <th>#</th>
          <th>Status</th>
          {columns.experiment && <th>Experiment</th>}
          <th>Model · dataset</th>
          <th>Trainer</th>
          {columns.createdBy && <th>By</th>}
          {columns.createdAt && <th>Created</th>}
          {columns.queue && <th className="num">Queue</th>}
          <th className="num">End-to-end</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td>
              <Link href={`/runs/${r.id}`}>#{r.number}</Link>
            </td>
            <td title={r.statusReason ?? undefined}>
              <StatusBadge status={r.status} />
            </td>
            {columns.experiment && <td>{r.experiment?.name}</td>}
            <td>
              {r.family.name} · {r.dataset.name}
            </td>
            <td>{r.trainer.name}</td>
            {columns.createdBy && <td>{r.createdBy?.name}</td>}
            {columns.createdAt && (
              <td className="mono small">{r.createdAt && new Date(r.createdAt).toISOString().slice(0, 19).replace("T", " ")}</td>
            )}
            {columns.queue && <td className="num">{r.queueSeconds != null ? formatDuration(r.queueSeconds) : "—"}</td>}
            <td className="num">{r.endToEndSeconds != null ? formatDuration(r.endToEndSeconds) : "—"}</td>
          </tr>
        ))}
        {runs.length === 0 && (
          <tr>
            <td colSpan={span} className="muted">
              {empty}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
