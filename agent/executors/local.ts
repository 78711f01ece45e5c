import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, createWriteStream, mkdirSync, openSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { LineQueue, lastLines } from "./line-queue";
import { processGroupMembers, signalGroup } from "./procfs";
import { WarmStart, type WarmStartOptions } from "./warm-start";
import {
  baseJobEnv,
  ExecutorError,
  validateSpec,
  type Executor,
  type JobHandle,
  type JobOutcome,
  type JobSpec,
  type RunningInfo,
} from "./types";

export interface LocalExecutorOptions {
  /** Time between SIGTERM and SIGKILL on cancel/timeout (default 10 s). */
  killGraceMs?: number;
  /** How many stderr lines go into JobOutcome.detail on failure (default 20). */
  stderrTailLines?: number;
  /**
   * Keep one pre-started process ready for jobs whose argv starts with `argvPrefix` and whose job
   * environment is `env` (see WarmStart); other jobs start cold.
   */
  warm?: WarmStartOptions;
}

/** Reads up to the last `maxBytes` of a file as text ("" if missing). */
export async function readTail(file: string, maxBytes = 64 * 1024): Promise<string> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch {
    return "";
  }
  try {
    const { size } = await handle.stat();
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    await handle.read(buf, 0, len, size - len);
    let text = buf.toString("utf8");
    if (len < size) text = text.slice(text.indexOf("\n") + 1);
    return text;
  } finally {
    await handle.close();
  }
}

/**
 * Runs the job as a child process in its own process group (detached). stdout is streamed as lines
 * and also saved to `<workdir>/<runId>.stdout.log`; stderr goes to `<workdir>/<runId>.stderr.log`.
 * Cancel and the time limit send SIGTERM to the whole group, then SIGKILL after the grace period.
 * When the main process exits, leftover processes of its group are killed too (like Slurm does).
 */
export class LocalExecutor implements Executor {
  readonly kind = "local" as const;
  private readonly graceMs: number;
  private readonly tailLines: number;

  private readonly warm: WarmStart | null;

  constructor(opts: LocalExecutorOptions = {}) {
    this.graceMs = opts.killGraceMs ?? 10_000;
    this.tailLines = opts.stderrTailLines ?? 20;
    this.warm = opts.warm ? new WarmStart(opts.warm) : null;
  }

  async start(spec: JobSpec): Promise<JobHandle> {
    validateSpec(spec);
    mkdirSync(spec.workdir, { recursive: true });
    const stderrPath = path.join(spec.workdir, `${spec.runId}.stderr.log`);
    const stdoutPath = path.join(spec.workdir, `${spec.runId}.stdout.log`);
    const warm = await this.warm?.take(spec, stderrPath);
    if (warm) return { ...this.supervise(warm, spec, stdoutPath, stderrPath), startedWarm: true };
    const errFd = openSync(stderrPath, "w");
    const child = spawn(spec.argv[0], spec.argv.slice(1), {
      cwd: spec.workdir,
      env: baseJobEnv(spec) as NodeJS.ProcessEnv,
      detached: true, // own process group: pgid == child.pid
      stdio: ["ignore", "pipe", errFd],
    });
    closeSync(errFd);
    try {
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        child.once("error", reject);
      });
    } catch (error) {
      throw new ExecutorError(`could not start ${spec.argv[0]}: ${(error as Error).message}`, { cause: error });
    }
    return this.supervise(child, spec, stdoutPath, stderrPath);
  }

  /** Prepares the warm process now (the agent calls it at start, so the first run finds it ready). */
  prepareWarmStart(): void {
    this.warm?.refill();
  }

  /** Waits (at most `timeoutMs`) until the next job would find a warm process ready; at once without warm starts. */
  async whenWarm(timeoutMs = 30_000): Promise<void> {
    await this.warm?.settled(timeoutMs);
  }

  /** Ends the warm process (agent shutdown). */
  close(): void {
    this.warm?.close();
  }

  /** Streams, times, cancels and reaps a started job process, cold or warm alike. */
  private supervise(child: ChildProcess, spec: JobSpec, stdoutPath: string, stderrPath: string): JobHandle {
    const outCopy = createWriteStream(stdoutPath);
    const pid = child.pid!;
    const startedAt = new Date();
    const queue = new LineQueue();
    child.stdout!.on("data", (chunk: Buffer) => {
      queue.pushBytes(chunk);
      outCopy.write(chunk);
    });
    child.stdout!.resume(); // a warm process's stdout was paused while it waited

    let canceled = false;
    let timedOut = false;
    let exited = false;
    let killing: Promise<void> | null = null;
    const graceMs = this.graceMs;

    /** SIGTERM the group, wait until no live member (zombies ignored) or grace → SIGKILL. */
    const killGroup = (): Promise<void> => {
      if (killing) return killing;
      killing = (async () => {
        signalGroup(pid, "SIGTERM");
        const deadline = Date.now() + graceMs;
        while (Date.now() < deadline) {
          if (processGroupMembers(pid).length === 0) return;
          await sleep(50);
        }
        signalGroup(pid, "SIGKILL");
        const hard = Date.now() + 5000;
        while (Date.now() < hard && processGroupMembers(pid).length > 0) await sleep(50);
      })();
      return killing;
    };

    const timer = setTimeout(
      () => {
        timedOut = true;
        void killGroup();
      },
      Math.round(spec.timeLimitMinutes * 60_000),
    );
    timer.unref();

    child.once("exit", () => {
      exited = true;
      clearTimeout(timer);
      // leftovers of the group (background children) would keep stdout open: end them.
      if (processGroupMembers(pid).length > 0) void killGroup();
    });

    const tailLines = this.tailLines;
    const done: Promise<JobOutcome> = new Promise((resolve) => {
      child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
        queue.close();
        outCopy.end();
        void (async () => {
          const tail = lastLines(await readTail(stderrPath), tailLines);
          const tailText = tail.length ? `\nstderr (last ${tail.length} lines):\n${tail.join("\n")}` : "";
          let outcome: JobOutcome;
          if (canceled) {
            outcome = { state: "canceled", exitCode: code, detail: `canceled${signal ? ` (${signal})` : ""}` };
          } else if (timedOut) {
            outcome = {
              state: "timeout",
              exitCode: code,
              detail: `time limit of ${spec.timeLimitMinutes} min reached${tailText}`,
            };
          } else if (code === 0) {
            outcome = { state: "completed", exitCode: 0, detail: "exit code 0" };
          } else {
            outcome = {
              state: "failed",
              exitCode: code,
              detail: (signal ? `killed by ${signal}` : `exit code ${code}`) + tailText,
            };
          }
          resolve(outcome);
        })();
      });
    });

    const runningInfo: RunningInfo = { startedAt, observedAt: startedAt };
    return {
      executorJobId: `local:${pid}`,
      lines: () => queue.iterate(),
      running: () => Promise.resolve(runningInfo),
      wait: () => done,
      cancel: async () => {
        if (!exited) canceled = true;
        await killGroup();
        await done;
      },
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
