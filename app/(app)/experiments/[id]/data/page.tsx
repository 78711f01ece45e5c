import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser, isExperimentMember } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { browseDataRoots } from "@/lib/server/data-roots/browse-data-roots";
import { formatBytes } from "@/lib/cost-model/format";
import { RecordActionButton } from "@/components/forms/record-action-button";
import { registerDatasetAction } from "@/lib/actions/register-dataset";

export const metadata: Metadata = { title: "Data roots" };

const when = (date: Date) => date.toISOString().slice(0, 19).replace("T", " ") + " UTC";

export default async function DataRootsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser();
  const experiment = await browseDataRoots({ actor: user, experimentId: id });
  if (!experiment) notFound();
  const mayRegister = can(user, "dataset:register", await isExperimentMember(user.id, id));
  return (
    <>
      <p>
        <Link href={`/experiments/${id}`}>← {experiment.name}</Link>
      </p>
      <h1>Data roots</h1>
      <p className="muted">
        The edge agent watches these folders: a new HDF5 file becomes a dataset seconds after it is written, read and checksummed on the
        edge host. Below is what the agent last saw in each; a file the zoo read that is not a dataset can be registered here.
      </p>
      {!mayRegister && <p className="alert">Your role ({user.role}) cannot register datasets.</p>}
      {experiment.dataRoots.length === 0 && (
        <p className="alert">This experiment has no data root yet: facility staff declare them on the Edge hosts page.</p>
      )}
      {experiment.dataRoots.map((root) => (
        <section key={root.id} aria-label={`Data root ${root.path}`}>
          <h2 className="mono">
            {root.edgeHost.name}:{root.path}
          </h2>
          <p className="small muted">
            {root.lastScannedAt ? `Last scanned ${when(root.lastScannedAt)}` : "Not scanned yet: is the edge host's agent running?"} ·{" "}
            {root._count.files} file{root._count.files === 1 ? "" : "s"}
            {root._count.files > root.files.length && ` (first ${root.files.length} shown)`}
          </p>
          <table>
            <thead>
              <tr>
                <th>File</th>
                <th className="num">Size</th>
                <th>Family · kind</th>
                <th className="num">Samples</th>
                <th>sha256</th>
                <th>Dataset</th>
              </tr>
            </thead>
            <tbody>
              {root.files.map((file) => {
                const relative = file.path.slice(root.path.length + 1);
                return (
                  <tr key={file.id}>
                    <td className="mono small">{relative}</td>
                    <td className="num">{formatBytes(Number(file.bytes))}</td>
                    <td>{file.familyKey ? `${file.familyKey} · ${file.kind}` : "—"}</td>
                    <td className="num">{file.sampleCount?.toLocaleString("en") ?? "—"}</td>
                    <td className="mono small" title={file.sha256 ?? undefined}>
                      {file.sha256 ? `${file.sha256.slice(0, 12)}…` : "—"}
                    </td>
                    <td>
                      {file.dataset ? (
                        <Link href={`/experiments/${id}#dataset-${file.dataset.id}`}>{file.dataset.name}</Link>
                      ) : file.problem ? (
                        <span className="small field-error">Not a dataset: {file.problem}</span>
                      ) : mayRegister ? (
                        <RecordActionButton
                          action={registerDatasetAction}
                          recordId={file.id}
                          label="Register"
                          pendingLabel="Registering…"
                          ariaLabel={`Register ${relative} as a dataset`}
                          onceOnly
                        />
                      ) : (
                        <span className="small muted">not registered</span>
                      )}
                    </td>
                  </tr>
                );
              })}
              {root.files.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    No files reported from this folder.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}
