// When a file in a data root is "closed": its size and mtime are the same at two consecutive scans. The
// intake polls (a scan every second or so) rather than use fs.watch: Linux reports no close-after-write
// through fs.watch (inotify's IN_CLOSE_WRITE is not exposed), and inotify sees nothing of files written by
// another machine to an NFS mount — which is how detector data usually reaches an edge host.

export interface Observation {
  size: number;
  mtimeMs: number;
}

export interface Tracked extends Observation {
  /** already returned as closed at this size and mtime */
  closed: boolean;
}

/**
 * One scan's step: the new tracking of every file present, and the files that became closed at this scan
 * (each once per size and mtime; a file written again is closed again once it settles).
 */
export function advanceScan(
  previous: ReadonlyMap<string, Tracked>,
  scan: ReadonlyMap<string, Observation>,
): { tracked: Map<string, Tracked>; closed: string[] } {
  const tracked = new Map<string, Tracked>();
  const closed: string[] = [];
  for (const [file, now] of scan) {
    const before = previous.get(file);
    const unchanged = before !== undefined && before.size === now.size && before.mtimeMs === now.mtimeMs;
    if (unchanged && !before.closed) closed.push(file);
    tracked.set(file, { ...now, closed: unchanged });
  }
  return { tracked, closed };
}
