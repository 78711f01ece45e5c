// TanStack Query keys for the dashboard's server state, and the one fetcher of the JSON route handlers.
import type { RunFilters } from "@/lib/server/runs/list-runs";

export const queryKeys = {
  runsAll: ["runs"] as const,
  runs: (filters: RunFilters) => ["runs", filters] as const,
  run: (id: string) => ["run", id] as const,
  overview: ["overview"] as const,
  trainers: ["trainers"] as const,
  edgeHosts: ["edge-hosts"] as const,
};

export async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: string } | null;
    throw new Error(body?.error ?? `${url} answered HTTP ${response.status}`);
  }
  return (await response.json()) as T;
}

export function runsUrl(filters: RunFilters): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== undefined && value !== "") query.set(key, String(value));
  return `/api/runs?${query}`;
}
