"use client";

import { useState, useTransition } from "react";
import { requestRecalibrationAction } from "@/lib/actions/request-recalibration";
import type { CalibrationRow } from "@/lib/calibration/calibrations";

/** A calibration as the page receives it (dates as ISO text). */
export type CalibrationView = Omit<CalibrationRow, "at" | "agentVersion"> & { at: string };

const when = (iso: string) => iso.slice(0, 19).replace("T", " ") + " UTC";
const num = (value: number | null, digits = 2) => (value === null ? "—" : value.toFixed(digits));

/** The trainer's newest calibration per family (what predictions start from) and, for staff, Recalibrate. */
export function CalibrationPanel({
  trainerId,
  calibrations,
  requestedAt,
  mayRecalibrate,
}: {
  trainerId: string;
  calibrations: CalibrationView[];
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
      {waiting && <p className="small muted">Recalibration requested {when(requestedAt)}; the agent runs it in the background.</p>}
      {message && (
        <p className={`alert ${message.ok ? "ok" : "error"} small`} role="status">
          {message.text}
        </p>
      )}
    </div>
  );
}
