import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { listEdgeHosts } from "@/lib/server/infrastructure/list-infrastructure";
import { AgentTable } from "@/components/infrastructure/agent-table";
import { IssueTokenForm } from "@/components/infrastructure/issue-token-form";
import { CreateEdgeHostForm } from "@/components/infrastructure/create-forms";
import { DataRoots } from "@/components/infrastructure/data-roots";
import { listDataRoots } from "@/lib/server/data-roots/manage-data-roots";
import { prisma } from "@/lib/db";

export const metadata: Metadata = { title: "Edge hosts" };
export const dynamic = "force-dynamic";

export default async function EdgeHostsPage() {
  const user = await requireUser();
  if (!can(user, "infrastructure:view")) return <p className="alert error">Only facility staff see edge hosts and their agents.</p>;
  const [{ edgeHosts, checkedAtMs: now }, roots, experiments] = await Promise.all([
    listEdgeHosts(),
    listDataRoots(),
    prisma.experiment.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
  ]);
  return (
    <>
      <h1>Edge hosts</h1>
      <p className="muted">Computers at the beamline that hold the data and run the deployed models.</p>
      {edgeHosts.map((h) => (
        <section key={h.id} className="panel" style={{ marginBottom: 12 }} aria-label={`Edge host ${h.name}`}>
          <div className="spread">
            <h2 style={{ margin: 0 }}>
              {h.name}{" "}
              <span className="small muted">
                {h.site} · {h._count.datasets} datasets
              </span>
            </h2>
            <span className="small">
              deployed: {h.deployments.map((d) => `${d.modelVersion.family.name} v${d.modelVersion.version}`).join(", ") || "nothing"}
            </span>
          </div>
          <AgentTable agents={h.agents} nowMs={now} />
          <DataRoots edgeHostId={h.id} roots={roots.filter((r) => r.edgeHostId === h.id)} experiments={experiments} />
          <IssueTokenForm kind="edge" targetId={h.id} />
        </section>
      ))}
      <h2>Register an edge host</h2>
      <CreateEdgeHostForm />
    </>
  );
}
