"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RunView } from "@/lib/server/runs/get-run-view";

const TICK = { fill: "var(--muted)", fontSize: 11 };

export function LossChart({ metrics, family }: { metrics: RunView["metrics"]; family: string }) {
  if (metrics.length === 0) return <p className="muted small">Per-epoch loss appears here as training reports it.</p>;
  const errorKey = family === "braggnn" ? "mean" : Object.keys(metrics[0].metrics)[0];
  const data = metrics.map((m) => ({ epoch: m.epoch, loss: m.loss, valLoss: m.valLoss, error: errorKey ? m.metrics[errorKey] : null }));
  return (
    <ResponsiveContainer width="100%" height={240}>
      <LineChart data={data} margin={{ top: 8, right: 40, bottom: 4, left: 8 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
        <XAxis
          dataKey="epoch"
          tick={TICK}
          label={{ value: "epoch", fill: "var(--muted)", fontSize: 11, position: "insideBottomRight", offset: -2 }}
        />
        <YAxis yAxisId="loss" scale="log" domain={["auto", "auto"]} tick={TICK} tickFormatter={(v: number) => v.toExponential(0)} />
        {errorKey && <YAxis yAxisId="error" orientation="right" tick={TICK} />}
        <Tooltip contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)" }} />
        <Legend />
        <Line yAxisId="loss" dataKey="loss" name="train loss" stroke="var(--accent)" dot={false} isAnimationActive={false} />
        <Line yAxisId="loss" dataKey="valLoss" name="validation loss" stroke="var(--warn)" dot={false} isAnimationActive={false} />
        {errorKey && (
          <Line
            yAxisId="error"
            dataKey="error"
            name={family === "braggnn" ? "mean error (px)" : errorKey}
            stroke="var(--ok)"
            dot={false}
            isAnimationActive={false}
          />
        )}
      </LineChart>
    </ResponsiveContainer>
  );
}
