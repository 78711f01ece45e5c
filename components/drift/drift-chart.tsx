import { DRIFT_CHART_BOX as BOX, driftChartLayout, type DriftPoint, type VersionMark } from "@/lib/drift/chart-layout";

// Colour-blind-safe (Okabe–Ito), as the step colours; one per version, in order of first check.
const SERIES_COLOURS = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];

/** Labels at the plot's edges extend inwards, so none is cut off. */
function anchorOf(x: number): "start" | "middle" | "end" {
  if (x <= BOX.left) return "start";
  return x >= BOX.width - BOX.right ? "end" : "middle";
}

/** Draws the pure layout from lib/drift/chart-layout.ts: spot-check error over time, threshold, version changes. */
export function DriftChart({
  points,
  threshold,
  marks,
  unit,
  label,
}: {
  points: DriftPoint[];
  threshold: number;
  marks: VersionMark[];
  unit: string;
  label: string;
}) {
  if (points.length === 0)
    return <p className="small muted">No spot checks yet: the edge checks each new dataset once a model is deployed.</p>;
  const layout = driftChartLayout(points, threshold, marks);
  const plotBottom = BOX.height - BOX.bottom;
  return (
    <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} width="100%" role="img" aria-label={label} style={{ maxWidth: BOX.width }}>
      {layout.yTicks.map((t) => (
        <g key={t.label}>
          <line x1={BOX.left} x2={BOX.width - BOX.right} y1={t.y} y2={t.y} stroke="var(--border)" strokeDasharray="3 3" />
          <text x={BOX.left - 6} y={t.y + 4} fill="var(--muted)" fontSize={10} textAnchor="end">
            {t.label}
          </text>
        </g>
      ))}
      <text x={4} y={BOX.top + 4} fill="var(--muted)" fontSize={10}>
        {unit}
      </text>
      {layout.xTicks.map((t) => (
        <text key={t.label} x={t.x} y={BOX.height - 8} fill="var(--muted)" fontSize={10} textAnchor={anchorOf(t.x)}>
          {t.label}
        </text>
      ))}
      {layout.marks.map((m) => (
        <g key={`${m.label}-${m.x}`} data-testid="version-mark">
          <line x1={m.x} x2={m.x} y1={BOX.top} y2={plotBottom} stroke="var(--muted)" strokeDasharray="2 4" />
          <text x={m.x + 3} y={BOX.top + 10} fill="var(--muted)" fontSize={10}>
            {m.label}
          </text>
        </g>
      ))}
      <line
        x1={BOX.left}
        x2={BOX.width - BOX.right}
        y1={layout.thresholdY}
        y2={layout.thresholdY}
        stroke="var(--bad)"
        strokeWidth={1.5}
        data-testid="threshold"
      >
        <title>{`threshold ${threshold} ${unit}`}</title>
      </line>
      {layout.series.map((s, i) => {
        const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
        return (
          <g key={s.versionId} data-version={s.versionLabel}>
            <path d={s.path} fill="none" stroke={colour} strokeWidth={1.5} />
            {s.points.map((p) => (
              <circle
                key={`${p.point.datasetName}-${p.x}`}
                cx={p.x}
                cy={p.y}
                r={3.5}
                fill={p.point.value > threshold ? "var(--bad)" : colour}
              >
                <title>{`${s.versionLabel} on ${p.point.datasetName}: ${p.point.value.toPrecision(3)} ${unit}`}</title>
              </circle>
            ))}
          </g>
        );
      })}
      {layout.series.map((s, i) => (
        <text
          key={s.versionId}
          x={BOX.left + 6 + i * 110}
          y={plotBottom - 6}
          fill={SERIES_COLOURS[i % SERIES_COLOURS.length]}
          fontSize={11}
        >
          ● {s.versionLabel}
        </text>
      ))}
    </svg>
  );
}
