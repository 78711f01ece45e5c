// The supervisor with small real programs: a program killed with SIGKILL is started again while the
// others keep running; a second supervisor on the same data folder is refused; SIGTERM stops everything
// within seconds and runs the after-stop commands; a supervisor that was itself SIGKILLed leaves
// programs behind that the next one stops.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive, type LockRecord } from "@/scripts/supervise/lock";
import { waitFor } from "@/testing/stack";

const ROOT = path.resolve(__dirname, "..");
let dir = "";
const started: ChildProcess[] = [];

/** A program that runs until it is signalled. */
const sleeper = (name: string) => ({ name, argv: [process.execPath, "-e", `console.log("${name} up"); setInterval(() => {}, 1000)`] });

/** Its after-stop command (in npm start: stop PostgreSQL) notes whether the lock was still held meanwhile. */
function writeConfig(dataDir: string): string {
  const file = `${dataDir}.json`;
  const lock = path.join(dataDir, "supervisor.lock");
  const afterStop = `const fs = require("fs"); fs.writeFileSync(${JSON.stringify(path.join(dir, "after-stop"))}, fs.existsSync(${JSON.stringify(lock)}) ? "ran, still locked" : "ran, unlocked")`;
  fs.writeFileSync(
    file,
    JSON.stringify({
      services: [sleeper("web"), sleeper("worker"), sleeper("agent")],
      afterStop: [[process.execPath, "-e", afterStop]],
      policy: { initialDelayMs: 200 },
      stopGraceMs: 3000,
      readyMessage: "all started\n",
    }),
  );
  return file;
}

function startSupervisor(dataDir: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/supervise.ts", "run", dataDir, writeConfig(dataDir)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  const out = { text: "" };
  child.stdout.on("data", (c: Buffer) => (out.text += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out.text += c.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, out, exited };
}

const lockOf = (dataDir: string) => JSON.parse(fs.readFileSync(path.join(dataDir, "supervisor.lock"), "utf8")) as LockRecord;
const pidsOf = (dataDir: string) => Object.fromEntries(lockOf(dataDir).children.map((c) => [c.name, c.pid]));

async function allUp(dataDir: string, supervisorPid: number | undefined, names: string[]) {
  return waitFor(
    `${names.join(", ")} running under supervisor ${supervisorPid}`,
    async () => {
      const lock = lockOf(dataDir);
      return lock.pid === supervisorPid && names.every((n) => lock.children.some((c) => c.name === n && isAlive(c)));
    },
    20_000,
    100,
  );
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "beamline-supervise-"));
});
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const file of fs.readdirSync(dir).filter((f) => f.startsWith("data") && !f.endsWith(".json"))) {
    const lock = path.join(dir, file, "supervisor.lock");
    if (fs.existsSync(lock)) for (const c of lockOf(path.join(dir, file)).children) if (isAlive(c)) process.kill(-c.pid, "SIGKILL");
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("supervisor", () => {
  it("restarts a SIGKILLed program, keeps the others, refuses a second instance, stops in seconds", async () => {
    const data = path.join(dir, "data-main");
    const first = startSupervisor(data);
    await allUp(data, first.child.pid, ["web", "worker", "agent"]);
    const before = pidsOf(data);

    process.kill(before.worker, "SIGKILL");
    await waitFor("the worker to be started again", async () => {
      const now = lockOf(data).children.find((c) => c.name === "worker");
      return now && now.pid !== before.worker && isAlive(now);
    });
    const after = pidsOf(data);
    expect(after.web).toBe(before.web);
    expect(after.agent).toBe(before.agent);
    expect(lockOf(data).children.every(isAlive)).toBe(true);
    expect(first.out.text).toMatch(/worker killed by SIGKILL after [\d.]+ s; starting it again in 0\.2 s/);

    const second = startSupervisor(data);
    expect(await second.exited).toBe(1);
    expect(second.out.text).toContain(`already running from ${data} (supervisor pid ${first.child.pid})`);
    expect(pidsOf(data)).toEqual(after); // the refused one started nothing and left the lock alone
    expect(lockOf(data).pid).toBe(first.child.pid);

    const stopAt = Date.now();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(5000);
    for (const pid of Object.values(after)) expect(fs.existsSync(`/proc/${pid}`), `program ${pid} still running`).toBe(false);
    // The lock is held until PostgreSQL is stopped: a new start cannot take over a server being shut down.
    expect(fs.readFileSync(path.join(dir, "after-stop"), "utf8")).toBe("ran, still locked");
    expect(fs.existsSync(path.join(data, "supervisor.lock"))).toBe(false);
  }, 60_000);

  it("stops what a SIGKILLed supervisor left running before starting its own", async () => {
    const data = path.join(dir, "data-stale");
    const killed = startSupervisor(data);
    await allUp(data, killed.child.pid, ["web", "worker", "agent"]);
    const orphans = lockOf(data).children;
    killed.child.kill("SIGKILL");
    await killed.exited;
    expect(orphans.every(isAlive)).toBe(true); // programs are process groups of their own: they outlive it

    const next = startSupervisor(data);
    await allUp(data, next.child.pid, ["web", "worker", "agent"]);
    expect(next.out.text).toMatch(new RegExp(`previous supervisor \\(pid ${killed.child.pid}\\) died; stopping`));
    expect(orphans.some(isAlive)).toBe(false);
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
  }, 60_000);
});
