import { jsonForUser } from "@/lib/server/json-route";
import { getRunView } from "@/lib/server/runs/get-run-view";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

// One run's page data, for refetches after a mutation (the live stream sends the same shape).
export const GET = jsonForUser(async (user, _request, { params }: { params: Promise<{ id: string }> }) => {
  const view = await getRunView({ actor: user, runId: (await params).id });
  if (!view) throw new AppError("NOT_FOUND", "No such run.");
  return view;
});
