// Gantt layout of a run's steps (Dagster-style): a pure function from step times to bars, so the
// component only draws rectangles and the layout is unit-tested.
import { STEP_LABEL, type StepName, type StepStatus } from "@/lib/flow/plan";

export interface TimelineStep {
  name: StepName;
  attempt: number;
  status: StepStatus;
  startedAtMs: number | null;
  endedAtMs: number | null;
}

export interface TimelineBar {
  key: string;
  row: number;
  label: string;
  status: StepStatus;
  x: number;
  width: number;
  seconds: number;
  open: boolean;
}

export interface TimelineLayout {
  bars: TimelineBar[];
  rows: number;
  spanSeconds: number;
  ticks: { x: number; label: string }[];
}

const ORDER: StepName[] = ["queue", "stage_in", "label", "train", "stage_out", "deploy"];
const MIN_BAR_PX = 2;

/** Lays out steps on one row per step name (attempts share the row), scaled to `width` pixels. */
export function layoutTimeline(steps: TimelineStep[], originMs: number, nowMs: number, width: number): TimelineLayout {
  const started = steps.filter((s) => s.startedAtMs !== null);
  const endMs = Math.max(nowMs, ...started.map((s) => s.endedAtMs ?? nowMs), originMs + 1);
  const span = Math.max(endMs - originMs, 1);
  const scale = width / span;
  const names = ORDER.filter((n) => steps.some((s) => s.name === n));
  const bars = started
    .sort((a, b) => (a.startedAtMs ?? 0) - (b.startedAtMs ?? 0))
    .map((s) => {
      const start = Math.max(s.startedAtMs ?? originMs, originMs);
      const end = s.endedAtMs ?? nowMs;
      const x = (start - originMs) * scale;
      return {
        key: `${s.name}-${s.attempt}`,
        row: names.indexOf(s.name),
        label: s.attempt > 1 ? `${STEP_LABEL[s.name]} #${s.attempt}` : STEP_LABEL[s.name],
        status: s.status,
        x,
        width: Math.min(Math.max((end - start) * scale, MIN_BAR_PX), width - x),
        seconds: Math.max(0, end - start) / 1000,
        open: s.endedAtMs === null,
      };
    });
  return { bars, rows: names.length, spanSeconds: span / 1000, ticks: niceTicks(span / 1000, width) };
}

/** About five ticks at round second values (1, 2, 5 × 10^k). */
export function niceTicks(spanSeconds: number, width: number): { x: number; label: string }[] {
  if (spanSeconds <= 0) return [];
  const raw = spanSeconds / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks = [];
  for (let t = 0; t <= spanSeconds + 1e-9; t += step) {
    ticks.push({ x: (t / spanSeconds) * width, label: `${Number(t.toPrecision(3))} s` });
  }
  return ticks;
}
