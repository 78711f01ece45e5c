// Gantt layout of a run's steps (Dagster-style): a pure function from step times to bars, so the
// component only draws rectangles and the layout is unit-tested.
import type { StepStatus } from "@/lib/flow/plan";
import { STEP_ORDER, stepDefinition, stepLabel, type StepDefinition, type StepName } from "@/lib/flow/steps";

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
  /** The step's colour (lib/flow/steps); status is drawn as the bar's outline. */
  color: string;
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

const MIN_BAR_PX = 2;

/** Lays out steps on one row per step name (attempts share the row), scaled to `width` pixels. */
export function layoutTimeline(
  steps: TimelineStep[],
  originMs: number,
  nowMs: number,
  width: number,
  registry: readonly StepDefinition[] = STEP_ORDER,
): TimelineLayout {
  const started = steps.filter((s) => s.startedAtMs !== null);
  // A step may carry times from the server's clock that are ahead of this browser's: they widen the span.
  const endMs = Math.max(nowMs, ...started.map((s) => s.endedAtMs ?? s.startedAtMs ?? nowMs), originMs + 1);
  const span = Math.max(endMs - originMs, 1);
  const scale = width / span;
  const names = registry.map((s) => s.name).filter((n) => steps.some((s) => s.name === n));
  const bars = started
    .sort((a, b) => (a.startedAtMs ?? 0) - (b.startedAtMs ?? 0))
    .map((s) => {
      const start = Math.max(s.startedAtMs ?? originMs, originMs);
      const end = Math.max(s.endedAtMs ?? nowMs, start);
      const x = Math.min((start - originMs) * scale, width);
      return {
        key: `${s.name}-${s.attempt}`,
        row: names.indexOf(s.name),
        label: s.attempt > 1 ? `${stepLabel(s.name, registry)} #${s.attempt}` : stepLabel(s.name, registry),
        status: s.status,
        color: stepDefinition(s.name, registry).color,
        x,
        width: Math.max(0, Math.min(Math.max((end - start) * scale, MIN_BAR_PX), width - x)),
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
