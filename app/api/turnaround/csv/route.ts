import { requireUser } from "@/lib/auth/session";
import { withRouteErrors } from "@/lib/route-errors";
import { toCsv, turnaroundCsvRows } from "@/lib/cost-model/turnaround";
import { CSV_RUN_LIMIT, getTurnaroundData } from "@/lib/server/turnaround/get-turnaround";
import { parseTurnaroundParams } from "@/lib/turnaround/params";

export const dynamic = "force-dynamic";

// The turnaround report as CSV (one row per run, any status), with the page's filters. Only experiments the
// signed-in user may see; bad filter values fall back to defaults.
export const GET = withRouteErrors(async (request: Request) => {
  const user = await requireUser();
  const params = parseTurnaroundParams(new URL(request.url).searchParams);
  const data = await getTurnaroundData({ actor: user, params, limit: CSV_RUN_LIMIT });
  const stamp = new Date().toISOString().slice(0, 10);
  const window = params.days === 0 ? "all" : `${params.days}d`;
  return new Response(toCsv(turnaroundCsvRows(data.runs)), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="turnaround-${window}-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-rows": String(data.runs.length),
      ...(data.truncated ? { "x-truncated": `newest ${data.limit} runs only` } : {}),
    },
  });
});
