import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/session";
import { getModelFamily } from "@/lib/server/models/get-model-family";
import { formatBytes } from "@/lib/cost-model/format";
import { RecordActionButton } from "@/components/forms/record-action-button";
import { restoreDeploymentAction } from "@/lib/actions/restore-deployment";
import { isHeldBack } from "@/lib/flow/deploy-gate";

export const metadata: Metadata = { title: "Model versions" };
export const dynamic = "force-dynamic";

export default async function ModelFamilyPage({ params }: { params: Promise<{ family: string }> }) {
  const { family: key } = await params;
  const user = await requireUser();
  const family = await getModelFamily({ key, actor: user });
  if (!family) notFound();
  return (
    <>
      <p>
        <Link href="/models">← Models</Link>
      </p>
      <h1>{family.name}</h1>
      <p className="muted">{family.description}</p>
      <table aria-label="Model versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Lineage</th>
            <th>Metrics</th>
            <th>Artifact</th>
            <th>Deployments</th>
          </tr>
        </thead>
        <tbody>
          {family.versions.map((v) => (
            <tr key={v.id} id={`v${v.version}`}>
              <td>
                <b>v{v.version}</b>{" "}
                {v.aliases.map((a) => (
                  <span key={a} className="badge">
                    {a}
                  </span>
                ))}
              </td>
              <td className="small">
                {v.parent ? `fine-tuned from v${v.parent.version}` : "from scratch"}
                {v.dataset && <> · data {v.dataset.name}</>}
                {v.run && (
                  <>
                    {" "}
                    · <Link href={`/runs/${v.run.id}`}>run #{v.run.number}</Link> on {v.run.trainer.name}
                  </>
                )}
                {v.experiment && <> · {v.experiment.name}</>}
              </td>
              <td className="mono small">
                {Object.entries(v.metrics as Record<string, number>)
                  .slice(0, 5)
                  .map(([k, x]) => `${k} ${Number(x).toPrecision(3)}`)
                  .join(" · ")}
              </td>
              <td className="mono small" title={v.artifactSha256}>
                {formatBytes(Number(v.artifactBytes))} · {v.artifactSha256.slice(0, 10)}…
              </td>
              <td className="small">
                {isHeldBack(v.deployDecision) && (
                  <div>
                    <span className="badge warn">held back</span> on {v.deployDecision!.edgeHost.name}:{" "}
                    {v.deployDecision!.reason.replace(/^held back: /, "")}
                    {v.run && (
                      <>
                        {" "}
                        · <Link href={`/runs/${v.run.id}`}>compare, deploy anyway</Link>
                      </>
                    )}
                  </div>
                )}
                {v.deployments.map((d) => (
                  <div key={d.id}>
                    {d.edgeHost.name}: {d.active ? <span className="badge ok">active</span> : <span className="muted">retired</span>}{" "}
                    {/* the action checks membership; viewers never get the button */}
                    {!d.active && user.role !== "viewer" && (
                      <RecordActionButton action={restoreDeploymentAction} recordId={d.id} label="Restore" pendingLabel="Restoring…" />
                    )}
                  </div>
                ))}
              </td>
            </tr>
          ))}
          {family.versions.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No version yet: launch a retrain from an experiment.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
