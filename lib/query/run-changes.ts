// What the browser does with the "runs changed" stream (app/api/runs/events). Pure: the caller keeps `seen`
// between batches and acts on the answer (invalidate the lists, show end-of-run notices).

export type RunStatusName = "queued" | "running" | "succeeded" | "failed" | "canceled" | "lost";

/** One run in a batch: its state now, whether the signed-in user launched it, when it ended (server ms). */
export interface RunChange {
  id: string;
  number: number;
  status: RunStatusName;
  mine: boolean;
  endedAtMs: number | null;
}

/**
 * The stream's messages: `hello` once per connection (the server's clock), then batches of changed runs. A
 * `resync` batch follows a gap in which the server heard no changes: the lists are refetched whatever it holds.
 */
export type RunChangesMessage = { type: "hello"; atMs: number } | { type: "runs"; runs: RunChange[]; resync?: true };

const TERMINAL: ReadonlySet<RunStatusName> = new Set(["succeeded", "failed", "canceled", "lost"]);

export interface RunChangesState {
  /** Last status seen per run. */
  seen: Map<string, RunStatusName>;
  /** Runs already announced as ended, keyed `id@endedAtMs` (a retried run that ends again is announced again). */
  announced: Set<string>;
  /** Server time the page first connected: runs that ended before it are old news. */
  sinceMs: number;
}

export function newRunChangesState(sinceMs: number): RunChangesState {
  return { seen: new Map(), announced: new Set(), sinceMs };
}

/**
 * Folds a batch into `state`. `listsChanged`: a run appeared or changed status (lists, counts and queues
 * need refetching; a run page's own metrics arrive on its own stream). `ended`: the user's own runs that
 * ended since they opened the dashboard, each announced once.
 */
export function foldRunChanges(state: RunChangesState, runs: readonly RunChange[]): { listsChanged: boolean; ended: RunChange[] } {
  let listsChanged = false;
  const ended: RunChange[] = [];
  for (const run of runs) {
    if (state.seen.get(run.id) !== run.status) listsChanged = true;
    state.seen.set(run.id, run.status);
    if (!run.mine || !TERMINAL.has(run.status) || run.endedAtMs === null || run.endedAtMs < state.sinceMs) continue;
    const key = `${run.id}@${run.endedAtMs}`;
    if (state.announced.has(key)) continue;
    state.announced.add(key);
    ended.push(run);
  }
  return { listsChanged, ended };
}

const ENDED_WORDS: Record<RunStatusName, string> = {
  queued: "is queued",
  running: "is running",
  // Not "deployed": the deploy gate may have held a worse model back (the run page says which).
  succeeded: "succeeded: its model is validated on the edge host",
  failed: "failed",
  canceled: "was canceled",
  lost: "was lost (its agent went silent)",
};

export const endedNotice = (run: Pick<RunChange, "number" | "status">) => `Run #${run.number} ${ENDED_WORDS[run.status]}.`;
