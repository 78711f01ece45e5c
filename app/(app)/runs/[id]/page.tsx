import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser, isExperimentMember } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { getRunView } from "@/lib/server/runs/get-run-view";
import { RunLive } from "@/components/runs/run-live";

export const metadata: Metadata = { title: "Run" };
export const dynamic = "force-dynamic";

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser();
  const run = await getRunView({ actor: user, runId: id });
  if (!run) notFound();
  const member = await isExperimentMember(user.id, run.experiment.id);
  return <RunLive initial={run} mayCancel={can(user, "run:cancel", member)} mayRetry={can(user, "run:retry", member)} />;
}
