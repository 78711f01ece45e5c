import { RetrainAlert } from "@/components/drift/retrain-alert";
import type { listDriftAlerts } from "@/lib/server/drift/load-drift";

/** The overview's "Retrain recommended" list, for the experiments the user can see. */
export function DriftAlerts({ alerts }: { alerts: Awaited<ReturnType<typeof listDriftAlerts>> }) {
  if (alerts.length === 0) return null;
  return (
    <div className="stack" style={{ maxWidth: "none", marginBottom: 12 }}>
      {alerts.map((a) => (
        <RetrainAlert
          key={`${a.experimentId}/${a.recommendation.versionId}`}
          experimentId={a.experimentId}
          experimentName={a.experimentName}
          unit={a.unit}
          recommendation={a.recommendation}
        />
      ))}
    </div>
  );
}
