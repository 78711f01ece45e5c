"use client";

// End-to-end time of each succeeded run against when it finished, one colour per trainer, log y axis so a
// 20 s Cerebras run and an 18 min local-GPU run both read. Input is endToEndSeries() output.

import { CartesianGrid, Legend, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";
import { formatDuration, powerOfTenDomain, powerOfTenTicks } from "@/lib/cost-model/format";

export interface EndToEndChartPoint {
  endedAtMs: number;
  seconds: number;
  series: string;
  label?: string;
}

const PALETTE = ["var(--accent)", "var(--warn)", "var(--ok)", "var(--info)", "var(--bad)", "var(--fg)", "var(--muted)"];
const AXIS_TICK = { fill: "var(--muted)", fontSize: 12 };

const Y_FORMATS = {
  duration: (seconds: number) => formatDuration(seconds),
  "signed-percent": (percent: number) => `${percent > 0 ? "+" : ""}${Math.round(percent)} %`,
};

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function EndToEndChart({
  points,
  height = 300,
  yLabel = "End-to-end",
  logScale = true,
  referenceZero = false,
  yFormat = "duration",
}: {
  points: readonly EndToEndChartPoint[];
  height?: number;
  yLabel?: string;
  logScale?: boolean;
  referenceZero?: boolean;
  /** A name, not a function: server components cannot pass functions to this client component. */
  yFormat?: keyof typeof Y_FORMATS;
}) {
  const yFormatter = Y_FORMATS[yFormat];
  if (points.length === 0) return <p className="muted">No finished runs to plot.</p>;
  const series = [...new Set(points.map((p) => p.series))].sort();
  const domain = logScale ? powerOfTenDomain(points.map((p) => p.seconds)) : null;
  return (
    <ScatterChart
      responsive
      style={{ width: "100%", height }}
      margin={{ top: 8, right: 24, bottom: 8, left: 8 }}
      aria-label={`${yLabel} per run over time`}
    >
      <CartesianGrid stroke="var(--muted)" strokeOpacity={0.25} />
      <XAxis
        dataKey="endedAtMs"
        type="number"
        scale="time"
        domain={["dataMin", "dataMax"]}
        tickFormatter={day}
        tick={AXIS_TICK}
        stroke="var(--muted)"
        name="Finished"
      />
      <YAxis
        dataKey="seconds"
        type="number"
        name={yLabel}
        scale={domain ? "log" : "auto"}
        domain={domain ?? ["auto", "auto"]}
        ticks={domain ? powerOfTenTicks(domain[0], domain[1]) : undefined}
        allowDataOverflow={domain !== null}
        tickFormatter={yFormatter}
        tick={AXIS_TICK}
        stroke="var(--muted)"
        width={72}
      />
      <Tooltip
        cursor={{ strokeDasharray: "3 3" }}
        contentStyle={{ background: "var(--bg, #111)", border: "1px solid var(--muted)", color: "var(--fg)" }}
        labelStyle={{ color: "var(--fg)" }}
        formatter={(value, name) =>
          name === "Finished" ? new Date(Number(value)).toISOString().slice(0, 16).replace("T", " ") : yFormatter(Number(value))
        }
      />
      <Legend wrapperStyle={{ color: "var(--fg)", fontSize: 12 }} />
      {referenceZero && <ReferenceLine y={0} stroke="var(--muted)" strokeDasharray="4 3" />}
      {series.map((name, i) => (
        <Scatter
          key={name}
          name={name}
          data={points.filter((p) => p.series === name)}
          fill={PALETTE[i % PALETTE.length]}
          fillOpacity={0.7}
          isAnimationActive={false}
          shape="circle"
        />
      ))}
    </ScatterChart>
  );
}

export default EndToEndChart;
