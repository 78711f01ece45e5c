import { getCurrentUser } from "@/lib/auth/session";
import { toCsv, turnaroundCsvRows } from "@/lib/cost-model/turnaround";
import { CSV_RUN_LIMIT, getTurnaroundData } from "@/lib/server/turnaround/get-turnaround";
import { parseTurnaroundParams } from "@/lib/turnaround/params";

export const dynamic = "force-dynamic";

// The turnaround report as CSV (one row per run, any status), with the page's filters. Only experiments the
// signed-in user may see; bad filter values fall back to defaults.
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
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
}
