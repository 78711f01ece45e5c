// Layout of the experiment page's drift chart: spot-check error over time (when each dataset arrived), one
// series per model version, the threshold line and a mark where each version went into service. Pure: the SVG
// component only draws what this returns.

export interface DriftPoint {
  versionId: string;
  versionLabel: string;
  datasetName: string;
  /** when the dataset arrived */
  at: Date | string;
  value: number;
}

export interface VersionMark {
  versionId: string;
  versionLabel: string;
  deployedAt: Date | string;
}

export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const DRIFT_CHART_BOX: ChartBox = { width: 640, height: 220, left: 48, right: 12, top: 12, bottom: 28 };

export interface DriftChartLayout {
  series: { versionId: string; versionLabel: string; path: string; points: { x: number; y: number; point: DriftPoint }[] }[];
  thresholdY: number;
  marks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; label: string }[];
}

const ms = (d: Date | string) => new Date(d).getTime();

/** Round step (1, 2 or 5 × 10^k) giving about `count` ticks over [0, max]. */
export function niceStep(max: number, count = 4): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

export function driftChartLayout(points: DriftPoint[], threshold: number, marks: VersionMark[], box = DRIFT_CHART_BOX): DriftChartLayout {
  const times = [...points.map((p) => ms(p.at)), ...marks.map((m) => ms(m.deployedAt))];
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const span = t1 > t0 ? t1 - t0 : 1;
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  // Lone instant: centred rather than pinned to the left edge.
  const x = (t: number) => box.left + (t1 > t0 ? ((t - t0) / span) * plotW : plotW / 2);
  // 10 % headroom over the highest error or the threshold, whichever is higher, up to a round tick.
  const headroom = Math.max(threshold, ...points.map((p) => p.value)) * 1.1;
  const yStep = niceStep(headroom);
  const yMax = Math.ceil(headroom / yStep) * yStep;
  const y = (v: number) => box.top + plotH - (v / yMax) * plotH;

  const byVersion = new Map<string, DriftLayoutSeries>();
  for (const p of [...points].sort((a, b) => ms(a.at) - ms(b.at))) {
    const s = byVersion.get(p.versionId) ?? { versionId: p.versionId, versionLabel: p.versionLabel, path: "", points: [] };
    s.points.push({ x: round(x(ms(p.at))), y: round(y(p.value)), point: p });
    byVersion.set(p.versionId, s);
  }
  const series = [...byVersion.values()].map((s) => ({
    ...s,
    path: s.points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" "),
  }));
  const decimals = yStep >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(yStep)));
  const yTicks = Array.from({ length: Math.round(yMax / yStep) + 1 }, (_, i) => ({
    y: round(y(i * yStep)),
    label: (i * yStep).toFixed(decimals),
  }));
  const xTicks = (t1 > t0 ? [t0, t0 + span / 2, t1] : [t0]).map((t) => ({ x: round(x(t)), label: shortTime(t, span) }));
  return {
    series,
    thresholdY: round(y(threshold)),
    marks: marks.map((m) => ({ x: round(x(ms(m.deployedAt))), label: m.versionLabel })),
    yTicks,
    xTicks,
  };
}

type DriftLayoutSeries = DriftChartLayout["series"][number];

const round = (v: number) => Math.round(v * 10) / 10;

/** UTC, as the rest of the dashboard: the time of day over a day or less, else the date and hour. */
function shortTime(t: number, span: number): string {
  const iso = new Date(t).toISOString();
  return span <= 86_400_000 ? iso.slice(11, 16) : `${iso.slice(5, 10)} ${iso.slice(11, 13)}h`;
}
