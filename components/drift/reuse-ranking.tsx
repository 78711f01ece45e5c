"use client";

import { rankingFor, type ReuseEvidence, type StartDataset } from "@/lib/drift/start";
import { FAMILY_METRIC, isDriftFamily } from "@/lib/drift/policy";

/** The Retrain dialog's ranking of earlier versions for the chosen dataset, and the epochs a fine-tune needs. */
export function ReuseRanking({
  reuse,
  dataset,
  parentVersionId,
}: {
  reuse: ReuseEvidence;
  dataset: StartDataset | undefined;
  parentVersionId: string;
}) {
  const ranking = rankingFor(reuse, dataset);
  if (!dataset || ranking.length === 0) return null;
  const unit = isDriftFamily(dataset.familyKey) ? FAMILY_METRIC[dataset.familyKey].unit : "";
  const predicted = reuse.epochs[dataset.familyKey];
  return (
    <div className="small" data-testid="reuse-ranking">
      <table aria-label="Earlier versions ranked for this dataset">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Earlier version</th>
            <th className="num">Spot-check error on this dataset</th>
          </tr>
        </thead>
        <tbody>
          {ranking.slice(0, 5).map((r, i) => (
            <tr key={r.id} aria-current={r.id === parentVersionId ? "true" : undefined}>
              <td className="num">{i + 1}</td>
              <td>
                {r.label}
                {i === 0 && (
                  <span className="badge ok" style={{ marginLeft: 6 }}>
                    recommended
                  </span>
                )}
              </td>
              <td className="num">{r.error === null ? "not measured" : `${r.error.toPrecision(3)} ${unit}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted" style={{ margin: "4px 0" }}>
        Ranked by each version&apos;s error on a labelled sample of this dataset (the edge&apos;s spot checks): the lowest is where
        fine-tuning starts closest. Unmeasured versions follow, newest first.
        {predicted && parentVersionId && (
          <>
            {" "}
            Predicted fine-tune: <strong data-testid="predicted-epochs">{predicted.epochs} epochs</strong> ({predicted.basis}).
          </>
        )}
      </p>
    </div>
  );
}
