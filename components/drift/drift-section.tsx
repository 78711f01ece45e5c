import { DriftChart } from "@/components/drift/drift-chart";
import { DriftPolicyForm } from "@/components/drift/drift-policy-form";
import { RetrainAlert } from "@/components/drift/retrain-alert";
import type { listDriftAlerts, loadDriftSeries } from "@/lib/server/drift/load-drift";

type Series = NonNullable<Awaited<ReturnType<typeof loadDriftSeries>>>;

/** The experiment page's drift section: alerts, then per family the error over time and the policy. */
export function DriftSection({
  series,
  alerts,
  mayEditPolicy,
}: {
  series: Series;
  alerts: Awaited<ReturnType<typeof listDriftAlerts>>;
  mayEditPolicy: boolean;
}) {
  if (series.families.length === 0) return null;
  return (
    <section id="drift" aria-labelledby="drift-heading">
      <h2 id="drift-heading">Drift at the edge</h2>
      {alerts.map((a) => (
        <RetrainAlert
          key={a.recommendation.versionId}
          experimentId={series.experiment.id}
          unit={a.unit}
          recommendation={a.recommendation}
        />
      ))}
      {series.families.map((f) => (
        <div key={f.familyKey} className="panel" style={{ marginTop: 8 }}>
          <h3 style={{ marginTop: 0 }}>
            {f.familyKey}: spot-check error by dataset arrival{" "}
            <span className="small muted">
              retrain recommended above {f.policy.threshold} {f.unit}; {Math.round(f.policy.fraction * 1000) / 10} % of each dataset
              labelled conventionally and compared
            </span>
          </h3>
          <DriftChart
            points={f.points}
            threshold={f.policy.threshold}
            marks={f.marks}
            unit={f.unit}
            label={`${f.familyKey} spot-check error over time per deployed version, threshold ${f.policy.threshold} ${f.unit}`}
          />
          {mayEditPolicy && (
            <DriftPolicyForm
              experimentId={series.experiment.id}
              familyKey={f.familyKey}
              unit={f.unit}
              threshold={f.policy.threshold}
              fraction={f.policy.fraction}
            />
          )}
        </div>
      ))}
    </section>
  );
}
