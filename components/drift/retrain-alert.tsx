import Link from "next/link";
import type { RetrainRecommendation } from "@/lib/drift/recommendation";

/** "Retrain recommended" with its evidence, and the one-click way to the pre-filled Retrain dialog. */
export function RetrainAlert({
  experimentId,
  experimentName,
  unit,
  recommendation: r,
}: {
  experimentId: string;
  experimentName?: string;
  unit: string;
  recommendation: RetrainRecommendation;
}) {
  const checkedAt = new Date(r.checkedAt).toISOString().slice(0, 16).replace("T", " ");
  return (
    <div className="panel" role="alert" style={{ borderColor: "var(--bad)" }} data-testid="retrain-recommended">
      <div className="spread">
        <div>
          <strong>Retrain recommended</strong>
          {experimentName && (
            <>
              {" · "}
              <Link href={`/experiments/${experimentId}`}>{experimentName}</Link>
            </>
          )}
          <div className="small">
            {r.versionLabel} in service measured{" "}
            <strong>
              {r.value.toPrecision(3)} {unit}
            </strong>{" "}
            on <span className="mono">{r.datasetName}</span>, over the threshold of {r.threshold} {unit} (checked {checkedAt} UTC).
          </div>
        </div>
        <Link className="button primary" href={`/experiments/${experimentId}?retrain=${encodeURIComponent(r.datasetId)}`}>
          Retrain on {r.datasetName}
        </Link>
      </div>
    </div>
  );
}
