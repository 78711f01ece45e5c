import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { withRouteErrors } from "@/lib/route-errors";
import { launchPredictionRequest, predictLaunches } from "@/lib/server/predictions/predict-launch";

export const dynamic = "force-dynamic";

// Predicted turnaround on every trainer for ?experimentId&datasetId&epochs&batchSize&maxSamples: the
// Retrain dialog fetches it as the scientist edits. Only datasets of experiments the user may see.
export const GET = withRouteErrors(async (request: Request) => {
  const user = await getCurrentUser();
  if (!user) throw new AppError("UNAUTHENTICATED", "Sign in first.");
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const result = await predictLaunches({ actor: user, request: launchPredictionRequest.parse(query) });
  return Response.json(result, { headers: { "cache-control": "no-store" } });
});
