"use client";

// Paper Fig. 4 with every parameter editable. Values start from the measured set (or the paper's when nothing
// is measured); an edit overrides one value until reset. When the server sends fresher measurements (a run
// finished and the page refreshed), unedited values follow them and edited ones stay as typed.

import { useMemo, useState } from "react";
import { CostModelChart } from "@/components/cost-model/CostModelChart";
import { breakEvenN, costAt, costCurve, type CostModelParameters } from "@/lib/cost-model/paper";
import { formatCount, formatDuration } from "@/lib/cost-model/format";
import {
  PARAMETER_FIELDS,
  fromDisplay,
  sourceLabel,
  toDisplay,
  validParameter,
  type ParameterKey,
  type ParameterSet,
} from "@/lib/cost-model/parameters";

export interface CostModelExplorerProps {
  measured: ParameterSet | null;
  paper: ParameterSet;
  /** "BraggNN · cerebras · edge-1": what the measured set is for. */
  subject: string | null;
  typicalN: number | null;
}

type Base = "measured" | "paper";

function displayText(key: ParameterKey, value: number): string {
  const shown = toDisplay(key, value);
  return String(Number(shown.toPrecision(4)));
}

export function CostModelExplorer({ measured, paper, subject, typicalN }: CostModelExplorerProps) {
  const [base, setBase] = useState<Base>(measured ? "measured" : "paper");
  const [edits, setEdits] = useState<Partial<Record<ParameterKey, string>>>({});
  const [nText, setNText] = useState<string>(typicalN ? String(typicalN) : "1000000");

  const baseSet = base === "measured" && measured ? measured : paper;
  const { params, invalid } = useMemo(() => {
    const values = {} as CostModelParameters;
    const bad: ParameterKey[] = [];
    for (const { key } of PARAMETER_FIELDS) {
      const text = edits[key];
      const parsed = text === undefined ? NaN : fromDisplay(key, Number(text));
      if (text !== undefined && (text.trim() === "" || !validParameter(key, parsed))) bad.push(key);
      values[key] = text !== undefined && text.trim() !== "" && validParameter(key, parsed) ? parsed : baseSet[key].value;
    }
    return { params: values, invalid: bad };
  }, [edits, baseSet]);

  const points = useMemo(() => costCurve(params), [params]);
  const breakEven = breakEvenN(params);
  const n = Number(nText);
  const at = Number.isFinite(n) && n > 0 ? costAt(n, params) : null;

  const reset = (to: Base) => {
    setBase(to);
    setEdits({});
  };

  return (
    <div className="grid" style={{ gridTemplateColumns: "minmax(360px, 1.2fr) minmax(360px, 1fr)", alignItems: "start" }}>
      <section className="panel" aria-label="Cost curves">
        <div className="row" style={{ marginBottom: 8 }}>
          <div>
            <div className="muted small">Break-even N</div>
            <div className="kpi num">{breakEven === null ? "never" : formatCount(breakEven)}</div>
          </div>
          {at && (
            <>
              <div>
                <div className="muted small">Conventional at N = {formatCount(at.n)}</div>
                <div className="kpi num">{formatDuration(at.conventionalSeconds)}</div>
              </div>
              <div>
                <div className="muted small">ML surrogate at N = {formatCount(at.n)}</div>
                <div className="kpi num">{formatDuration(at.mlSeconds)}</div>
              </div>
            </>
          )}
        </div>
        <p className="small" style={{ marginTop: 0 }}>
          {breakEven === null
            ? "With these parameters estimating at the edge is not cheaper per datum than the conventional path, so retraining never pays off."
            : at
              ? at.mlSeconds < at.conventionalSeconds
                ? `For ${formatCount(at.n)} data, retraining and estimating at the edge is ${(at.conventionalSeconds / at.mlSeconds).toFixed(1)}× faster than conventional analysis.`
                : `For ${formatCount(at.n)} data, conventional analysis is faster: retraining pays off only beyond ${formatCount(breakEven)} data.`
              : null}
        </p>
        <CostModelChart
          points={points}
          breakEvenN={breakEven}
          highlightedN={at?.n}
          highlightedLabel={at ? `N = ${formatCount(at.n)}` : undefined}
        />
        <label style={{ maxWidth: 260, marginTop: 8 }}>
          Dataset size N to compare
          <input type="number" min={1} step="any" value={nText} onChange={(e) => setNText(e.target.value)} aria-describedby="n-help" />
          <span id="n-help" className="small">
            {typicalN
              ? `Default: median size of the family's datasets (${formatCount(typicalN)} samples).`
              : "No dataset recorded; pick any N."}
          </span>
        </label>
        <p className="muted small">
          f_c(N) = N·(C(ex→dc) + C(A_dc) + C(dc→ex)) (eq. 4); f_ml(N) = p·N·(C(ex→dc) + C(A_dc) + C(dc→ex)) + C(T) + C(model) + (1 −
          p)·N·C(E) (eq. 5). Both in seconds; axes logarithmic as in the paper&apos;s Fig. 4.
        </p>
      </section>

      <section className="panel" aria-label="Parameters">
        <div className="spread">
          <h2 style={{ margin: 0 }}>Parameters</h2>
          <div className="row">
            <button
              type="button"
              onClick={() => reset("measured")}
              disabled={!measured}
              title={measured ? undefined : "Nothing measured for this selection"}
            >
              Reset to measured
            </button>
            <button type="button" onClick={() => reset("paper")}>
              Reset to paper
            </button>
          </div>
        </div>
        <p className="muted small">
          Starting values: {base === "measured" && measured ? `measured for ${subject}` : "the paper's BraggNN example (§4.2)"}
          {Object.keys(edits).length > 0 ? `, ${Object.keys(edits).length} edited by you (not saved)` : ""}.
        </p>
        {invalid.length > 0 && (
          <p className="alert warn small" role="status">
            {invalid.length} value{invalid.length === 1 ? " is" : "s are"} not usable (negative, empty, or p outside 0–1); the starting
            value is used instead.
          </p>
        )}
        <table>
          <thead>
            <tr>
              <th>Parameter</th>
              <th className="num">Value</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {PARAMETER_FIELDS.map((field) => {
              const source = baseSet[field.key];
              const edited = edits[field.key] !== undefined;
              return (
                <tr key={field.key}>
                  <td>
                    <div className="mono">{field.symbol}</div>
                    <div className="small muted">{field.label}</div>
                  </td>
                  <td className="num" style={{ whiteSpace: "nowrap" }}>
                    <input
                      type="number"
                      step="any"
                      min={0}
                      max={field.unit === "fraction" ? 1 : undefined}
                      aria-label={`${field.symbol} (${field.unit})`}
                      aria-invalid={invalid.includes(field.key)}
                      style={{ width: 110, textAlign: "right" }}
                      value={edits[field.key] ?? displayText(field.key, source.value)}
                      onChange={(e) => setEdits((prev) => ({ ...prev, [field.key]: e.target.value }))}
                    />{" "}
                    <span className="small muted">{field.unit === "fraction" ? "" : field.unit}</span>
                  </td>
                  <td>
                    {edited ? (
                      <span className="badge warn" title={`Starting value ${displayText(field.key, source.value)} ${field.unit}`}>
                        edited
                      </span>
                    ) : (
                      <span className={`badge ${source.source === "measured" ? "ok" : ""}`}>{sourceLabel(source)}</span>
                    )}
                    <div className="small muted" style={{ marginTop: 4 }}>
                      {source.note}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </div>
  );
}

export default CostModelExplorer;
