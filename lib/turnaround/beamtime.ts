// Which beamtime a run belongs to. An experiment has one beamtime window (beamtimeStart–beamtimeEnd); a run
// counts toward it when it was launched inside that window, otherwise it is "outside beamtime".

export interface BeamtimeWindow {
  beamline: string;
  beamtimeStart: Date;
  beamtimeEnd: Date;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "1-ID · 2026-03-01 → 2026-03-05": experiments sharing a beamline and window share the label. */
export function beamtimeLabel(window: BeamtimeWindow): string {
  return `${window.beamline} · ${day(window.beamtimeStart)} → ${day(window.beamtimeEnd)}`;
}

/**
 * The beamtime label for a run launched at `launchedAt`, or null when it fell outside the window. The end
 * is inclusive to the whole last day when it is stored as midnight (a window "until 5 March" includes 5 March).
 */
export function beamtimeOfRun(window: BeamtimeWindow, launchedAt: Date): string | null {
  const start = window.beamtimeStart.getTime();
  let end = window.beamtimeEnd.getTime();
  if (end % 86_400_000 === 0) end += 86_400_000 - 1;
  const at = launchedAt.getTime();
  if (!Number.isFinite(at) || at < start || at > end) return null;
  return beamtimeLabel(window);
}
