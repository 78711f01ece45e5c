import { getCurrentUser } from "@/lib/auth/session";
import { jsonError } from "@/lib/agent-protocol/route";
import { launchPredictionRequest, predictLaunches } from "@/lib/server/predictions/predict-launch";

export const dynamic = "force-dynamic";

// Predicted turnaround on every trainer for ?experimentId&datasetId&epochs&batchSize&maxSamples: the
// Retrain dialog fetches it as the scientist edits. Only datasets of experiments the user may see.
export async function GET(request: Request) {
  try {
    const user = await getCurrentUser();
    if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
    const query = Object.fromEntries(new URL(request.url).searchParams);
    const result = await predictLaunches({ actor: user, request: launchPredictionRequest.parse(query) });
    return Response.json(result, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return jsonError(error);
  }
}
