import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { listEdgeHosts } from "@/lib/server/infrastructure/list-infrastructure";
import { toJson } from "@/lib/json";
import { EdgeHostsLive } from "@/components/infrastructure/infrastructure-live";
import { CreateEdgeHostForm } from "@/components/infrastructure/create-forms";
import { DataRoots } from "@/components/infrastructure/data-roots";
import { listDataRoots } from "@/lib/server/data-roots/manage-data-roots";
import { prisma } from "@/lib/db";

export const metadata: Metadata = { title: "Edge hosts" };
export const dynamic = "force-dynamic";

export default async function EdgeHostsPage() {
  const user = await requireUser();
  if (!can(user, "infrastructure:view")) return <p className="alert error">Only facility staff see edge hosts and their agents.</p>;
  const [edgeHosts, roots, experiments] = await Promise.all([
    listEdgeHosts(),
    listDataRoots(),
    prisma.experiment.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
  ]);
  const panels = Object.fromEntries(
    edgeHosts.edgeHosts.map((h) => [
      h.id,
      <DataRoots key={h.id} edgeHostId={h.id} roots={roots.filter((r) => r.edgeHostId === h.id)} experiments={experiments} />,
    ]),
  );
  return (
    <>
      <h1>Edge hosts</h1>
      <p className="muted">Computers at the beamline that hold the data and run the deployed models.</p>
      <EdgeHostsLive initial={toJson(edgeHosts)} panels={panels} />
      <h2>Register an edge host</h2>
      <CreateEdgeHostForm />
    </>
  );
}
