import { jsonForUser } from "@/lib/server/json-route";
import { getOverview } from "@/lib/server/runs/get-overview";

export const dynamic = "force-dynamic";

export const GET = jsonForUser((user) => getOverview({ actor: user }));
