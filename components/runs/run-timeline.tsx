import { layoutTimeline } from "@/lib/flow/timeline";
import type { RunView } from "@/lib/server/runs/get-run-view";

const ROW = 26;
const LABEL = 170;
const WIDTH = 640;
// The fill is the step's own colour (the same in every chart); the outline says how it ended.
const OUTLINE: Record<string, string | undefined> = { failed: "var(--bad)", lost: "var(--bad)", canceled: "var(--muted)" };

/** Draws the pure layout from lib/flow/timeline.ts; no arithmetic here beyond placing it. */
export function RunTimeline({ run, nowMs }: { run: RunView; nowMs: number }) {
  const layout = layoutTimeline(run.steps, run.createdAtMs, run.endedAtMs ?? nowMs, WIDTH);
  const labels = [...new Map(layout.bars.map((b) => [b.row, b.label.replace(/ #\d+$/, "")])).entries()];
  const height = layout.rows * ROW + 24;
  return (
    <svg viewBox={`0 0 ${LABEL + WIDTH + 10} ${height}`} width="100%" role="img" aria-label="Step timeline">
      {labels.map(([row, label]) => (
        <text key={row} x={0} y={row * ROW + 17} fill="var(--fg)" fontSize={12}>
          {label}
        </text>
      ))}
      {layout.ticks.map((t) => (
        <g key={t.label}>
          <line x1={LABEL + t.x} x2={LABEL + t.x} y1={0} y2={layout.rows * ROW} stroke="var(--border)" />
          <text x={LABEL + t.x} y={height - 6} fill="var(--muted)" fontSize={10} textAnchor="middle">
            {t.label}
          </text>
        </g>
      ))}
      {layout.bars.map((b) => (
        <rect
          key={b.key}
          x={LABEL + b.x}
          y={b.row * ROW + 5}
          width={b.width}
          height={ROW - 10}
          rx={3}
          fill={b.color}
          opacity={b.open ? 0.75 : 1}
          stroke={OUTLINE[b.status]}
          strokeWidth={OUTLINE[b.status] ? 2 : 0}
          strokeDasharray={b.status === "canceled" ? "4 2" : undefined}
          data-step={b.key}
          data-status={b.status}
        >
          <title>{`${b.label}: ${b.status}, ${b.seconds.toFixed(2)} s`}</title>
        </rect>
      ))}
    </svg>
  );
}
