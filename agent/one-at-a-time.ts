// Heartbeats in order: the agent beats on a timer and right after each claim, and a beat can take seconds (a loaded
// host, a dashboard restarting). Overlapping beats answer out of order, and an old answer applied after a newer
// one undoes it (it named no probe, so the probe the newer one started was dropped, silently).

/**
 * `fn` one call at a time. A call while one runs waits for it and then runs `fn` once more, with the state of
 * that moment; calls made meanwhile share that one run (its result is theirs too).
 */
export function oneAtATime<T>(fn: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const start = (): Promise<T> => {
    running = fn().finally(() => {
      running = null;
    });
    return running;
  };
  return () => {
    if (!running) return start();
    const settled = () => {
      next = null;
      return start();
    };
    next ??= running.then(settled, settled);
    return next;
  };
}
