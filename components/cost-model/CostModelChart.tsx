"use client";

// Paper Fig. 4: conventional (f_c) versus ML surrogate (f_ml) time against dataset size N, log–log, with the
// break-even marked. All numbers arrive computed (lib/cost-model/paper.ts); this only draws them.

import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import type { CostCurvePoint } from "@/lib/cost-model/paper";
import { formatCount, formatDuration, formatPowerOfTen, powerOfTenDomain, powerOfTenTicks } from "@/lib/cost-model/format";

export interface CostModelChartProps {
  points: readonly CostCurvePoint[];
  /** N where the curves cross; null when the ML path never wins. */
  breakEvenN: number | null;
  /** A dataset size to mark, e.g. the experiment's expected number of data. */
  highlightedN?: number;
  highlightedLabel?: string;
  height?: number;
}

const AXIS_TICK = { fill: "var(--muted)", fontSize: 12 };

export function CostModelChart({ points, breakEvenN, highlightedN, highlightedLabel, height = 360 }: CostModelChartProps) {
  const nDomain = powerOfTenDomain(points.map((p) => p.n));
  const secondsDomain = powerOfTenDomain(points.flatMap((p) => [p.conventionalSeconds, p.mlSeconds]));
  if (nDomain === null || secondsDomain === null) {
    return <p style={{ color: "var(--muted)" }}>No cost curve to draw.</p>;
  }
  const data = points.map((p) => ({ ...p }));
  const showBreakEven = breakEvenN !== null && breakEvenN >= nDomain[0] && breakEvenN <= nDomain[1];
  const showHighlight = highlightedN !== undefined && highlightedN >= nDomain[0] && highlightedN <= nDomain[1];

  return (
    <figure style={{ margin: 0 }}>
      <LineChart
        responsive
        data={data}
        style={{ width: "100%", height }}
        margin={{ top: 24, right: 24, bottom: 16, left: 8 }}
        aria-label="Time to process N data: conventional analysis versus ML surrogate"
      >
        <CartesianGrid stroke="var(--muted)" strokeOpacity={0.25} />
        <XAxis
          dataKey="n"
          type="number"
          scale="log"
          domain={nDomain}
          ticks={powerOfTenTicks(nDomain[0], nDomain[1])}
          tickFormatter={(n: number) => formatPowerOfTen(n)}
          tick={AXIS_TICK}
          stroke="var(--muted)"
          allowDataOverflow
          label={{
            value: "Number of data N",
            position: "insideBottom",
            offset: -8,
            fill: "var(--muted)",
            fontSize: 12,
          }}
        />
        <YAxis
          type="number"
          scale="log"
          domain={secondsDomain}
          ticks={powerOfTenTicks(secondsDomain[0], secondsDomain[1])}
          tickFormatter={(s: number) => formatDuration(s)}
          tick={AXIS_TICK}
          stroke="var(--muted)"
          width={72}
          allowDataOverflow
        />
        <Tooltip
          contentStyle={{
            background: "var(--bg, #111)",
            border: "1px solid var(--muted)",
            color: "var(--fg)",
          }}
          labelStyle={{ color: "var(--fg)" }}
          labelFormatter={(label) => `N = ${formatCount(Number(label))}`}
          formatter={(value) => formatDuration(Number(value))}
        />
        <Legend wrapperStyle={{ color: "var(--fg)", fontSize: 12 }} />
        <Line
          type="monotone"
          dataKey="conventionalSeconds"
          name="Conventional, f_c (eq. 4)"
          stroke="var(--fg)"
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
        <Line
          type="monotone"
          dataKey="mlSeconds"
          name="ML surrogate, f_ml (eq. 5)"
          stroke="var(--accent)"
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
        {showBreakEven && breakEvenN !== null ? (
          <ReferenceLine
            x={breakEvenN}
            stroke="var(--warn)"
            strokeDasharray="5 4"
            label={{
              value: `break-even N ≈ ${formatCount(breakEvenN)}`,
              position: "insideTopLeft",
              fill: "var(--warn)",
              fontSize: 12,
            }}
          />
        ) : null}
        {showHighlight ? (
          <ReferenceLine
            x={highlightedN}
            stroke="var(--muted)"
            strokeDasharray="2 3"
            label={{
              value: highlightedLabel ?? `N = ${formatCount(highlightedN)}`,
              position: "insideBottomRight",
              fill: "var(--muted)",
              fontSize: 12,
            }}
          />
        ) : null}
      </LineChart>
      <figcaption style={{ color: "var(--muted)", fontSize: 12 }}>
        {breakEvenN === null
          ? "With these parameters the ML surrogate never beats conventional analysis."
          : `Retraining pays off beyond about ${formatCount(breakEvenN)} data.`}
      </figcaption>
    </figure>
  );
}

export default CostModelChart;
