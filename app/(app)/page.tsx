import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/session";
import { getOverview } from "@/lib/server/runs/get-overview";
import { toJson } from "@/lib/json";
import { OverviewLive } from "@/components/runs/overview-live";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const user = await requireUser();
  const overview = await getOverview({ actor: user });
  return (
    <>
      <h1>Overview</h1>
      <OverviewLive initial={toJson(overview)} />
    </>
  );
}
