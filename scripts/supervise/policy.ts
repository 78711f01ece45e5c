// When a supervised program exits on its own, how long to wait before starting it again. Pure: the
// supervisor (scripts/supervise.ts) feeds it how long the program ran and the failure streak so far.

export interface RestartPolicy {
  /** Wait before the first restart of a streak. */
  initialDelayMs: number;
  /** Each further quick failure multiplies the wait by this... */
  factor: number;
  /** ...up to this. */
  maxDelayMs: number;
  /** A program that ran at least this long was healthy: its next failure starts a new streak. */
  healthyAfterMs: number;
  /** Quick failures in a row after which the supervisor stops trying (unset: never). */
  maxStreak?: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  factor: 2,
  maxDelayMs: 30_000,
  healthyAfterMs: 60_000,
};

export type RestartDecision = { action: "restart"; delayMs: number; streak: number } | { action: "give-up"; streak: number };

/** `streak`: quick failures in a row before this exit; `ranForMs`: how long the program ran this time. */
export function decideRestart(policy: RestartPolicy, streak: number, ranForMs: number): RestartDecision {
  const nextStreak = ranForMs >= policy.healthyAfterMs ? 1 : streak + 1;
  if (policy.maxStreak !== undefined && nextStreak > policy.maxStreak) return { action: "give-up", streak: nextStreak };
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (nextStreak - 1));
  return { action: "restart", delayMs, streak: nextStreak };
}
