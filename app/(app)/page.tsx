import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/session";
import { getOverview } from "@/lib/server/runs/get-overview";
import { toJson } from "@/lib/json";
import { OverviewLive } from "@/components/runs/overview-live";
import { listDriftAlerts } from "@/lib/server/drift/load-drift";
import { DriftAlerts } from "@/components/drift/drift-alerts";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const user = await requireUser();
  const [overview, driftAlerts] = await Promise.all([getOverview({ actor: user }), listDriftAlerts({ actor: user })]);
  return (
    <>
      <h1>Overview</h1>
      <DriftAlerts alerts={driftAlerts} />
      <OverviewLive initial={toJson(overview)} />
    </>
  );
}
