/** A headline number with its label and a line of context. */
export function Kpi({ label, value, sub }: { label: string; value: string; sub: string }) {
  return (
    <div className="panel">
      <div className="muted small">{label}</div>
      <div className="kpi num">{value}</div>
      <div className="muted small">{sub}</div>
    </div>
  );
}
