"use client";

// Per-trainer stacked bars of median step times (the paper's Table 1 plus queue and control overhead).
// Input is lib/cost-model/turnaround.ts trainerBreakdown() output; no maths here.

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { formatDuration } from "@/lib/cost-model/format";
import type { TrainerBreakdown } from "@/lib/cost-model/turnaround";
import { TABLE_ONE_COMPONENTS } from "@/lib/flow/breakdown";

export interface TurnaroundBreakdownChartProps {
  trainers: readonly TrainerBreakdown[];
  height?: number;
}

const AXIS_TICK = { fill: "var(--muted)", fontSize: 12 };

export function TurnaroundBreakdownChart({ trainers, height }: TurnaroundBreakdownChartProps) {
  if (trainers.length === 0) {
    return <p style={{ color: "var(--muted)" }}>No finished runs yet.</p>;
  }
  const data = trainers.map((t) => ({
    name: `${t.trainerName} (${t.runs})`,
    ...t.median,
  }));
  return (
    <BarChart
      responsive
      layout="vertical"
      data={data}
      style={{ width: "100%", height: height ?? 80 + 48 * trainers.length }}
      margin={{ top: 8, right: 24, bottom: 8, left: 8 }}
      aria-label="Median end-to-end time per trainer, by step"
    >
      <CartesianGrid stroke="var(--muted)" strokeOpacity={0.25} horizontal={false} />
      <XAxis type="number" tickFormatter={(s: number) => formatDuration(s)} tick={AXIS_TICK} stroke="var(--muted)" />
      <YAxis type="category" dataKey="name" width={160} tick={AXIS_TICK} stroke="var(--muted)" />
      <Tooltip
        cursor={{ fill: "var(--muted)", fillOpacity: 0.1 }}
        contentStyle={{
          background: "var(--bg, #111)",
          border: "1px solid var(--muted)",
          color: "var(--fg)",
        }}
        labelStyle={{ color: "var(--fg)" }}
        formatter={(value) => formatDuration(Number(value))}
      />
      <Legend wrapperStyle={{ color: "var(--fg)", fontSize: 12 }} />
      {/* One colour per step, the same everywhere (lib/flow/steps). */}
      {TABLE_ONE_COMPONENTS.map((c) => (
        <Bar key={c.key} dataKey={c.key} name={c.label} stackId="turnaround" fill={c.color} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}

export default TurnaroundBreakdownChart;
