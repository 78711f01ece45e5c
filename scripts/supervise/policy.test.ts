import { describe, expect, it } from "vitest";
import { decideRestart, DEFAULT_RESTART_POLICY, type RestartPolicy } from "@/scripts/supervise/policy";

const policy: RestartPolicy = { initialDelayMs: 500, factor: 2, maxDelayMs: 4000, healthyAfterMs: 10_000 };

/** Feeds a sequence of run lengths through the policy, as the supervisor does, and returns the waits. */
function delays(p: RestartPolicy, runs: number[]) {
  let streak = 0;
  return runs.map((ranForMs) => {
    const decision = decideRestart(p, streak, ranForMs);
    streak = decision.streak;
    return decision.action === "restart" ? decision.delayMs : "give-up";
  });
}

describe("decideRestart", () => {
  it("doubles the wait on each quick failure in a row, up to the cap", () => {
    expect(delays(policy, [100, 100, 100, 100, 100, 100])).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });

  it("starts over after a run that lasted long enough to count as healthy", () => {
    expect(delays(policy, [100, 100, 100, 10_000, 100])).toEqual([500, 1000, 2000, 500, 1000]);
    expect(delays(policy, [100, 100, 9_999])).toEqual([500, 1000, 2000]);
  });

  it("gives up after maxStreak quick failures, but not after a healthy run", () => {
    const limited = { ...policy, maxStreak: 3 };
    expect(delays(limited, [100, 100, 100, 100])).toEqual([500, 1000, 2000, "give-up"]);
    expect(delays(limited, [100, 100, 100, 60_000, 100])).toEqual([500, 1000, 2000, 500, 1000]);
  });

  it("never gives up by default, and never waits more than 30 s", () => {
    const waits = delays(DEFAULT_RESTART_POLICY, Array(50).fill(0));
    expect(waits).not.toContain("give-up");
    expect(Math.max(...(waits as number[]))).toBe(30_000);
    expect(waits[0]).toBe(DEFAULT_RESTART_POLICY.initialDelayMs);
  });
});
