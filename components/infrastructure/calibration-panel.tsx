"use client";

import { useState, useTransition } from "react";
import { requestRecalibrationAction } from "@/lib/actions/request-recalibration";
import type { CalibrationRow } from "@/lib/calibration/calibrations";
import type { RouteFit } from "@/lib/server/predictions/list-route-fits";

/** A calibration as the page receives it (dates as ISO text). */
export type CalibrationView = Omit<CalibrationRow, "at" | "agentVersion"> & { at: string };

const when = (iso: string) => iso.slice(0, 19).replace("T", " ") + " UTC";
const num = (value: number | null, digits = 2) => (value === null ? "—" : value.toFixed(digits));

const source = (r: RouteFit) =>
  r.transfers === 0 ? "paper (1 GB/s)" : r.probes === r.transfers ? "calibration probe" : r.probes > 0 ? "runs + probe" : "runs";

/**
 * The trainer's newest calibration per family and its data plane's T = x/v + S per route (what predictions start
 * from) and, for staff, Recalibrate (both again).
 */
export function CalibrationPanel({
  trainerId,
  calibrations,
  routes,
  requestedAt,
  mayRecalibrate,
}: {
  trainerId: string;
  calibrations: CalibrationView[];
  routes: RouteFit[];
  requestedAt: string | null;
  mayRecalibrate: boolean;
}) {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const waiting = requestedAt !== null && calibrations.some((c) => c.at < requestedAt);
  return (
    <div aria-label="Calibration">
      <div className="spread">
        <h3 style={{ margin: "8px 0" }}>Calibration</h3>
        {mayRecalibrate && (
          <button
            type="button"
            disabled={pending}
            onClick={() =>
              start(async () => {
                const result = await requestRecalibrationAction(trainerId);
                setMessage({ ok: result.ok, text: result.message ?? "" });
              })
            }
          >
            {pending ? "Requesting…" : "Recalibrate"}
          </button>
        )}
      </div>
      {calibrations.length === 0 ? (
        <p className="small muted">
          Not calibrated yet: its agent calibrates when it connects. Until then predictions use the paper&apos;s figures.
        </p>
      ) : (
        <table aria-label="Calibrations">
          <thead>
            <tr>
              <th>Family</th>
              <th>Measured</th>
              <th className="num">Start-up s</th>
              <th className="num">Job start s</th>
              <th className="num">Train samples/s</th>
              <th className="num">Fixed s a step</th>
              <th className="num">Validation samples/s</th>
              <th className="num">Batch</th>
              <th>Zoo</th>
            </tr>
          </thead>
          <tbody>
            {calibrations.map((c) => (
              <tr key={c.family}>
                <td>{c.family}</td>
                <td className="small">{when(c.at)}</td>
                <td className="num">{num(c.startupSeconds)}</td>
                <td className="num">{num(c.jobStartSeconds)}</td>
                <td className="num">{Math.round(c.trainSamplesPerSecond).toLocaleString("en")}</td>
                <td className="num">{num(c.stepSeconds, 3)}</td>
                <td className="num">{c.valSamplesPerSecond === null ? "—" : Math.round(c.valSamplesPerSecond).toLocaleString("en")}</td>
                <td className="num">{c.batchSize ?? "—"}</td>
                <td className="small mono">{c.zooVersion ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {routes.length > 0 && (
        <table aria-label="Data plane">
          <thead>
            <tr>
              <th>Route (T = x/v + S)</th>
              <th>Measured</th>
              <th className="num">v MB/s</th>
              <th className="num">S ms</th>
              <th className="num">Transfers</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {routes.map((r) => (
              <tr key={r.route}>
                <td>
                  {r.route} <span className="small muted">({r.direction})</span>
                </td>
                <td className="small">{r.at ? when(r.at) : "—"}</td>
                <td className="num">{r.bytesPerSecond === null ? "—" : (r.bytesPerSecond / 1e6).toFixed(0)}</td>
                <td className="num">{r.startupSeconds === null ? "—" : (r.startupSeconds * 1000).toFixed(1)}</td>
                <td className="num">{r.transfers}</td>
                <td className="small" title={r.note}>
                  {source(r)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {waiting && <p className="small muted">Recalibration requested {when(requestedAt)}; the agent runs it in the background.</p>}
      {message && (
        <p className={`alert ${message.ok ? "ok" : "error"} small`} role="status">
          {message.text}
        </p>
      )}
    </div>
  );
}
