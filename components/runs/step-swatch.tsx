/** A step's colour (lib/flow/steps) beside its name, so every table reads as the legend of the charts. */
export function StepSwatch({ color }: { color: string }) {
  return <span className="swatch" style={{ background: color }} aria-hidden="true" />;
}
