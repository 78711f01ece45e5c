import { describe, expect, it } from "vitest";
import { oneAtATime } from "@/agent/one-at-a-time";

/** A call whose end the test decides, recording which calls overlapped. */
function controlled() {
  const ends: (() => void)[] = [];
  let running = 0;
  let overlapped = false;
  let calls = 0;
  const fn = () => {
    calls += 1;
    const n = calls;
    running += 1;
    overlapped ||= running > 1;
    return new Promise<number>((resolve) =>
      ends.push(() => {
        running -= 1;
        resolve(n);
      }),
    );
  };
  return { fn, ends, calls: () => calls, overlapped: () => overlapped };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("oneAtATime", () => {
  it("runs a call made while one runs after it ends, and calls made meanwhile share that run", async () => {
    const c = controlled();
    const beat = oneAtATime(c.fn);
    const first = beat();
    const second = beat();
    const third = beat();
    await tick();
    expect(c.calls()).toBe(1);
    c.ends[0]();
    expect(await first).toBe(1);
    await tick();
    expect(c.calls()).toBe(2);
    c.ends[1]();
    expect([await second, await third]).toEqual([2, 2]);
    expect(c.overlapped()).toBe(false);
    // Idle again: the next call runs at once.
    const fourth = beat();
    expect(c.calls()).toBe(3);
    c.ends[2]();
    expect(await fourth).toBe(3);
  });

  it("goes on after a call that failed", async () => {
    let calls = 0;
    const beat = oneAtATime(async () => {
      calls += 1;
      if (calls === 1) throw new Error("dashboard unreachable");
      return calls;
    });
    const first = beat();
    const second = beat();
    await expect(first).rejects.toThrow("dashboard unreachable");
    expect(await second).toBe(2);
  });
});
