import { jsonForUser } from "@/lib/server/json-route";
import { listRuns, runFilters } from "@/lib/server/runs/list-runs";

export const dynamic = "force-dynamic";

// The runs list page's data (same filters, same membership scoping), for its live refetches.
export const GET = jsonForUser((user, request) =>
  listRuns({ actor: user, filters: runFilters.parse(Object.fromEntries(new URL(request.url).searchParams)) }),
);
