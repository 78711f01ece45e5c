import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser, isExperimentMember, getCurrentUser } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { prisma } from "@/lib/db";
import { getRunView } from "@/lib/server/runs/get-run-view";
import { visibleExperimentsWhere } from "@/lib/auth/visibility";
import { runTabTitle } from "@/lib/query/run-title";
import { RunLive } from "@/components/runs/run-live";

export const dynamic = "force-dynamic";

// The tab names the run and its state from the first paint; the page keeps it current while the run changes.
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const user = await getCurrentUser();
  if (!user) return { title: "Run" };
  const run = await prisma.run.findFirst({
    where: { id: (await params).id, experiment: visibleExperimentsWhere(user) },
    select: { number: true, status: true, cancelRequestedAt: true },
  });
  return { title: run ? { absolute: runTabTitle({ ...run, cancelRequested: run.cancelRequestedAt !== null }) } : "Run" };
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser();
  const run = await getRunView({ actor: user, runId: id });
  if (!run) notFound();
  const member = await isExperimentMember(user.id, run.experiment.id);
  return (
    <RunLive
      initial={run}
      mayCancel={can(user, "run:cancel", member)}
      mayRetry={can(user, "run:retry", member)}
      mayDeploy={can(user, "run:launch", member)}
    />
  );
}
