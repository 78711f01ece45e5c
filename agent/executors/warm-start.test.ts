import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WarmStart } from "./warm-start";

// A shell that speaks the warm process's handshake (warm.py: a ready line, then one job line on stdin,
// echoed here) stands in for Python, so that the hand-over logic is tested without importing torch.
const SHELL_WARM = ["/bin/sh", "-c", 'echo \'{"type": "warm_ready"}\'; read job; echo "$job"'];

let warm: WarmStart | null = null;
afterEach(() => warm?.close());

describe("WarmStart", () => {
  it("hands one warm process to one job when two jobs start at once", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "warm-"));
    warm = new WarmStart({ argvPrefix: ["/bin/sh"], warmArgv: SHELL_WARM, env: {}, cpus: 1, dir, readyWaitMs: 5000 });
    warm.refill();
    const spec = (n: number) => ({ runId: `r${n}`, argv: ["/bin/sh", `job-${n}`], workdir: dir, env: {}, cpus: 1, timeLimitMinutes: 1 });
    const [a, b] = await Promise.all([warm.take(spec(1), path.join(dir, "1.err")), warm.take(spec(2), path.join(dir, "2.err"))]);
    const taken = [a, b].filter((child) => child !== null);
    expect(taken.length).toBeGreaterThan(0);
    expect(new Set(taken.map((child) => child.pid)).size).toBe(taken.length);
    const outputs = await Promise.all(
      taken.map(
        (child) =>
          new Promise<string>((resolve) => {
            let out = "";
            child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
            child.stdout!.resume();
            child.once("close", () => resolve(out));
          }),
      ),
    );
    // each process got exactly one job
    for (const out of outputs) expect(out.match(/"args"/g)).toHaveLength(1);
  });

  it("settles when the warm process is ready, and does not wait past its timeout for one that never is", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "warm-"));
    warm = new WarmStart({
      argvPrefix: ["/bin/sh"],
      warmArgv: ["/bin/sh", "-c", 'sleep 0.3; echo \'{"type": "warm_ready"}\'; read job'],
      env: {},
      cpus: 1,
      dir,
    });
    let t0 = Date.now();
    await warm.settled(5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(4000);
    warm.close();
    warm = new WarmStart({ argvPrefix: ["/bin/sh"], warmArgv: ["/bin/sh", "-c", "sleep 30"], env: {}, cpus: 1, dir });
    t0 = Date.now();
    await warm.settled(300);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
