// Runs a set of long-lived programs (the dashboard, the worker, the agents) and keeps them running:
// a program that exits on its own is started again after a backoff (scripts/supervise/policy.ts) while
// the others stay up; SIGINT/SIGTERM stops them all (last started first), then runs the after-stop
// commands (stop PostgreSQL, Slurm). One supervisor per data folder (scripts/supervise/lock.ts).
//   node --import tsx scripts/supervise.ts lock DATA_DIR PID      take the data folder's lock for PID (a shell, before it execs run)
//   node --import tsx scripts/supervise.ts run DATA_DIR CONFIG.json
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import {
  acquireLock,
  isAlive,
  processId,
  processStartTime,
  releaseLock,
  updateLock,
  type LockRecord,
  type ProcessId,
} from "./supervise/lock";
import { decideRestart, DEFAULT_RESTART_POLICY, type RestartPolicy } from "./supervise/policy";

export interface ServiceSpec {
  name: string;
  argv: string[];
  env?: Record<string, string>;
  /** Started programs after this one wait until this URL answers 2xx. */
  readyUrl?: string;
  /** Overrides of the restart policy for this program (e.g. maxStreak). */
  policy?: Partial<RestartPolicy>;
  /** When it gives up on this program, stop everything and exit non-zero. */
  required?: boolean;
}

export interface SupervisorConfig {
  services: ServiceSpec[];
  /** Commands run one after the other once every program has stopped. */
  afterStop?: string[][];
  /** How long a program may take to exit after SIGTERM before it gets SIGKILL. */
  stopGraceMs?: number;
  policy?: Partial<RestartPolicy>;
  /** Printed once every program has been started (and the ready URLs answer). */
  readyMessage?: string;
}

export const LOCK_FILE = "supervisor.lock";
const READY_TIMEOUT_MS = 180_000;

const say = (line: string) => process.stdout.write(`[supervise] ${line}\n`);

interface Running {
  spec: ServiceSpec;
  policy: RestartPolicy;
  child: ChildProcess | null;
  id: ProcessId | null;
  startedAt: number;
  streak: number;
  restartTimer: NodeJS.Timeout | null;
  exited: Promise<void>;
}

/** Sends `signal` to the program's process group (it was started as a group leader). */
function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return true;
}

/** Stops what a supervisor killed without a chance to clean up left running (its lock lists them). */
async function stopLeftovers(stale: LockRecord, graceMs: number) {
  const alive = stale.children.filter(isAlive);
  if (!alive.length) return;
  say(
    `a previous supervisor (pid ${stale.pid}) died; stopping what it left running: ${alive.map((c) => `${c.name} (${c.pid})`).join(", ")}`,
  );
  for (const child of alive) signalGroup(child.pid, "SIGTERM");
  await waitUntil(() => !alive.some(isAlive), graceMs);
  for (const child of alive.filter(isAlive)) signalGroup(child.pid, "SIGKILL");
}

function takeLock(dataDir: string, pid: number): LockRecord | null {
  fs.mkdirSync(dataDir, { recursive: true });
  const result = acquireLock(path.join(dataDir, LOCK_FILE), pid);
  if (!result.acquired) {
    process.stderr.write(
      `Beamline Retrain is already running from ${path.resolve(dataDir)} (supervisor pid ${result.holder.pid}). ` +
        `Stop it first (Ctrl-C in its terminal, or kill ${result.holder.pid}).\n`,
    );
    process.exit(1);
  }
  return result.stale;
}

class Supervisor {
  private readonly running: Running[] = [];
  private stopping: Promise<never> | null = null;
  private readonly lockFile: string;
  private readonly graceMs: number;

  constructor(
    private readonly config: SupervisorConfig,
    dataDir: string,
  ) {
    this.lockFile = path.join(dataDir, LOCK_FILE);
    this.graceMs = config.stopGraceMs ?? 10_000;
  }

  async run() {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(signal, () => {
        if (this.stopping) say(`${signal} again: still stopping`);
        else void this.stop(0, `${signal}: stopping`);
      });
    }
    for (const spec of this.config.services) {
      if (this.stopping) return;
      const entry: Running = {
        spec,
        policy: { ...DEFAULT_RESTART_POLICY, ...this.config.policy, ...spec.policy },
        child: null,
        id: null,
        startedAt: 0,
        streak: 0,
        restartTimer: null,
        exited: Promise.resolve(),
      };
      this.running.push(entry);
      this.start(entry);
      if (spec.readyUrl && !(await this.waitReady(spec.readyUrl)) && !this.stopping) {
        await this.stop(1, `${spec.name} did not answer on ${spec.readyUrl} within ${READY_TIMEOUT_MS / 1000} s`);
      }
    }
    if (this.config.readyMessage && !this.stopping) process.stdout.write(this.config.readyMessage);
  }

  private async waitReady(url: string): Promise<boolean> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!this.stopping && Date.now() < deadline) {
      try {
        if ((await fetch(url, { signal: AbortSignal.timeout(5000) })).ok) return true;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    return false;
  }

  private start(entry: Running) {
    entry.restartTimer = null;
    const [command, ...args] = entry.spec.argv;
    // A process group of its own: Ctrl-C in the terminal reaches the supervisor only, which stops
    // the programs in order, and a stop signal reaches whatever a program started itself.
    const child = spawn(command, args, {
      env: { ...process.env, ...entry.spec.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    entry.child = child;
    entry.startedAt = Date.now();
    const startTime = child.pid ? processStartTime(child.pid) : null; // null: it is gone already
    entry.id = child.pid && startTime ? { pid: child.pid, startTime } : null;
    for (const [stream, out] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const) {
      readline.createInterface({ input: stream }).on("line", (line) => out.write(`[${entry.spec.name}] ${line}\n`));
    }
    entry.exited = new Promise((resolve) => {
      let ended = false;
      const onEnd = (how: string) => {
        if (ended) return;
        ended = true;
        entry.child = null;
        entry.id = null;
        this.recordChildren();
        resolve();
        if (!this.stopping) this.scheduleRestart(entry, how);
      };
      child.once("exit", (code, signal) => onEnd(signal ? `killed by ${signal}` : `exited with code ${code}`));
      child.once("error", (error) => onEnd(`could not start: ${error.message}`));
    });
    this.recordChildren();
  }

  private scheduleRestart(entry: Running, how: string) {
    const ranForMs = Date.now() - entry.startedAt;
    const decision = decideRestart(entry.policy, entry.streak, ranForMs);
    entry.streak = decision.streak;
    const what = `${entry.spec.name} ${how} after ${(ranForMs / 1000).toFixed(1)} s`;
    if (decision.action === "give-up") {
      if (entry.spec.required) void this.stop(1, `${what}; ${decision.streak} quick failures in a row: giving up`);
      else say(`${what}; ${decision.streak} quick failures in a row: not starting it again`);
      return;
    }
    say(`${what}; starting it again in ${(decision.delayMs / 1000).toFixed(1)} s`);
    entry.restartTimer = setTimeout(() => this.start(entry), decision.delayMs);
  }

  private recordChildren() {
    const children = this.running.flatMap((r) => (r.id ? [{ name: r.spec.name, ...r.id }] : []));
    updateLock(this.lockFile, { ...processId(process.pid), children });
  }

  /** Stops every program (last started first), runs the after-stop commands, releases the lock, exits. */
  stop(code: number, why: string): Promise<never> {
    this.stopping ??= (async () => {
      say(why);
      for (const entry of this.running) if (entry.restartTimer) clearTimeout(entry.restartTimer);
      for (const entry of [...this.running].reverse()) {
        const pid = entry.child?.pid;
        if (!pid || !entry.child) continue;
        const started = Date.now();
        signalGroup(pid, "SIGTERM");
        const inTime = await Promise.race([
          entry.exited.then(() => true),
          new Promise<false>((r) => setTimeout(() => r(false), this.graceMs)),
        ]);
        if (!inTime) {
          say(`${entry.spec.name} did not stop within ${this.graceMs / 1000} s of SIGTERM: killing it`);
          signalGroup(pid, "SIGKILL");
          await entry.exited;
        } else say(`${entry.spec.name} stopped (${Date.now() - started} ms)`);
      }
      for (const argv of this.config.afterStop ?? []) {
        const r = spawnSync(argv[0], argv.slice(1), { stdio: "inherit", timeout: 60_000 });
        if (r.status !== 0) say(`${argv.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`})`);
      }
      releaseLock(this.lockFile, process.pid);
      say("stopped");
      process.exit(code);
    })();
    return this.stopping;
  }
}

async function main() {
  const [command, dataDir, arg] = process.argv.slice(2);
  if (command === "lock" && dataDir && arg) {
    const stale = takeLock(dataDir, Number(arg));
    if (stale) await stopLeftovers(stale, 10_000);
  } else if (command === "run" && dataDir && arg) {
    const config = JSON.parse(fs.readFileSync(arg, "utf8")) as SupervisorConfig;
    const stale = takeLock(dataDir, process.pid);
    if (stale) await stopLeftovers(stale, config.stopGraceMs ?? 10_000);
    await new Supervisor(config, dataDir).run();
  } else {
    process.stderr.write("usage: node --import tsx scripts/supervise.ts lock DATA_DIR PID | run DATA_DIR CONFIG.json\n");
    process.exit(2);
  }
}

await main();
