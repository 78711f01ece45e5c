// One pre-started job process kept ready (zoo/beamline_zoo/warm.py: Python, torch and the zoo imported),
// so a run's first batch does not wait for an interpreter to start and import torch. It is handed the
// job's command on stdin and becomes the job; a fresh one is started in the background for the next.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, closeSync } from "node:fs";
import path from "node:path";
import { baseJobEnv, type JobSpec } from "./types";

export interface WarmStartOptions {
  /** argv of a job that a warm process can run: this prefix, then the command's own arguments. */
  argvPrefix: string[];
  /** argv that starts a warm process (e.g. python -m beamline_zoo.warm). */
  warmArgv: string[];
  /** The job environment warm processes start with; a job asking for another one starts cold. */
  env: Record<string, string>;
  cpus: number;
  /** Where warm processes keep their stderr until they become a job. */
  dir: string;
  /** How long to wait for a warm process still importing before starting the job cold instead. */
  readyWaitMs?: number;
}

interface WarmProcess {
  child: ChildProcess;
  ready: Promise<boolean>;
}

export class WarmStart {
  private current: WarmProcess | null = null;
  private closed = false;

  constructor(private readonly options: WarmStartOptions) {}

  /** Whether a job can become a warm process: same interpreter and module, same environment. */
  fits(spec: JobSpec): boolean {
    const { argvPrefix, env, cpus } = this.options;
    const sameEnv = spec.cpus === cpus && sameRecord(spec.env, env);
    return sameEnv && argvPrefix.every((arg, i) => spec.argv[i] === arg) && spec.argv.length > argvPrefix.length;
  }

  /** Hands the job to the ready warm process (and starts the next one), or null to start it cold. */
  async take(spec: JobSpec, stderrPath: string): Promise<ChildProcess | null> {
    if (!this.fits(spec)) return null;
    const warm = this.current ?? this.refill();
    if (!warm) return null;
    // Claimed before waiting: two jobs starting at once must not both be handed the same process.
    this.current = null;
    const ready = await Promise.race([warm.ready, sleep(this.options.readyWaitMs ?? 3000).then(() => false)]);
    if (!ready || warm.child.exitCode !== null || warm.child.signalCode !== null) {
      stop(warm.child);
      this.refill();
      return null;
    }
    const job = { args: spec.argv.slice(this.options.argvPrefix.length), cwd: spec.workdir, stderr: stderrPath, env: {} };
    warm.child.stdin!.end(JSON.stringify(job) + "\n");
    this.refill();
    return warm.child;
  }

  /** Resolves once the warm process (started now if none is) is ready, or has failed, or `timeoutMs` passed. */
  async settled(timeoutMs: number): Promise<void> {
    const warm = this.current ?? this.refill();
    if (warm) await Promise.race([warm.ready, sleep(timeoutMs)]);
  }

  /** Starts a warm process unless one is ready or starting. */
  refill(): WarmProcess | null {
    if (this.closed) return null;
    if (this.current) return this.current;
    mkdirSync(this.options.dir, { recursive: true });
    const errFd = openSync(path.join(this.options.dir, "warm.stderr.log"), "w");
    const child = spawn(this.options.warmArgv[0], this.options.warmArgv.slice(1), {
      cwd: this.options.dir,
      env: baseJobEnv({ env: this.options.env, cpus: this.options.cpus }) as NodeJS.ProcessEnv,
      detached: true, // its own process group, like every job: cancel signals the whole group
      stdio: ["pipe", "pipe", errFd],
    });
    closeSync(errFd);
    child.on("error", () => undefined); // a failed spawn shows as never ready: jobs start cold
    const ready = new Promise<boolean>((resolve) => {
      let seen = "";
      const onData = (chunk: Buffer) => {
        seen += chunk.toString("utf8");
        if (!seen.includes("\n")) return;
        child.stdout!.off("data", onData);
        child.stdout!.pause(); // the job's own output is read by the executor once it is handed over
        resolve(seen.startsWith('{"type": "warm_ready"'));
      };
      child.stdout!.on("data", onData);
      child.once("exit", () => resolve(false));
    });
    const warm = { child, ready };
    child.once("exit", () => {
      if (this.current === warm) this.current = null;
    });
    this.current = warm;
    return warm;
  }

  close(): void {
    this.closed = true;
    if (this.current) stop(this.current.child);
    this.current = null;
  }
}

function stop(child: ChildProcess) {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

export function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
