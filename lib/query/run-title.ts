// The browser tab's title while a run page is open: its state first, so a glance at the tab strip says it.
const MARK: Record<string, string> = { queued: "…", running: "▶", succeeded: "✓", failed: "✗", lost: "✗", canceled: "■" };

export function runTabTitle(run: { number: number; status: string; cancelRequested?: boolean }): string {
  const status = run.cancelRequested && (run.status === "queued" || run.status === "running") ? "canceling" : run.status;
  return `${MARK[run.status] ?? "·"} Run #${run.number} ${status} · Beamline Retrain`;
}
