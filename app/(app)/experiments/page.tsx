import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { listExperiments } from "@/lib/server/experiments/list-experiments";

export const metadata: Metadata = { title: "Experiments" };

const day = (d: Date) => d.toISOString().slice(0, 10);

export default async function ExperimentsPage() {
  const user = await requireUser();
  const experiments = await listExperiments({ actor: user });
  return (
    <>
      <h1>Experiments</h1>
      {experiments.length === 0 ? (
        <p className="panel muted">
          You are not a member of any experiment yet. Ask the experiment&apos;s PI or facility staff to add you.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Beamline</th>
              <th>Technique</th>
              <th>PI</th>
              <th>Beamtime</th>
              <th className="num">Datasets</th>
              <th className="num">Runs</th>
            </tr>
          </thead>
          <tbody>
            {experiments.map((e) => (
              <tr key={e.id}>
                <td>
                  <Link href={`/experiments/${e.id}`}>{e.name}</Link>
                </td>
                <td>{e.beamline}</td>
                <td>{e.technique}</td>
                <td>{e.pi.name}</td>
                <td className="mono">
                  {day(e.beamtimeStart)} → {day(e.beamtimeEnd)}
                </td>
                <td className="num">{e._count.datasets}</td>
                <td className="num">{e._count.runs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
