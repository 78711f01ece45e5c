import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { LineQueue, lastLines } from "./line-queue";
import { sameRecord } from "./warm-start";
import { readTail } from "./local";
import {
  hasRun,
  isControllerUnreachable,
  isInvalidJobId,
  isActiveState,
  outcomeFromInfo,
  parseJobInfo,
  parseKeyValues,
  parseSbatchParsable,
  renderSbatchScript,
  SAFE_SLURM_PATH,
  type SlurmJobInfo,
  parseTestOnlyStart,
} from "./slurm-parse";
import {
  baseJobEnv,
  InvalidJobSpecError,
  SlurmSubmitError,
  SlurmUnavailableError,
  validateSpec,
  type Executor,
  type ExecutorStatus,
  type JobHandle,
  type JobOutcome,
  type JobSpec,
  type RunningInfo,
} from "./types";

export interface SlurmExecutorOptions {
  /** slurm.conf for the client commands. Default: $SLURM_CONF, else <cwd>/.data/slurm/slurm.conf if present, else Slurm's default. */
  slurmConf?: string;
  partition?: string;
  /** --mem-per-cpu in MB (default: the cluster's DefMemPerCPU). */
  memPerCpuMb?: number;
  /** How often the output file is read (default 250 ms). */
  tailIntervalMs?: number;
  /** How often the job state is queried (default 1000 ms). */
  pollIntervalMs?: number;
  /** SIGTERM → scancel grace on cancel (default 10 s). */
  cancelGraceMs?: number;
  /** Kill a Slurm client command after this long; counts as "controller unreachable" (default 20 s). */
  commandTimeoutMs?: number;
  /** Back-off cap while the controller is unreachable (default 15 s). */
  maxBackoffMs?: number;
  /** Status messages (pending reason, running, controller unreachable/reachable again). */
  onStatus?: (executorStatus: ExecutorStatus) => void;
  /** Override command paths (tests). */
  commands?: Partial<Record<"sbatch" | "scontrol" | "scancel", string>>;
  /** Lines of the job's stderr put into JobOutcome.detail on failure (default 20). */
  stderrTailLines?: number;
}

/**
 * What sbatch runs with, and so what a job starts from before its script's own exports: the agent's PATH (to find
 * Slurm's commands; the script sets the job's own PATH), its home and locale, nothing else.
 */
function submitEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", LANG: process.env.LANG ?? "C.UTF-8" };
  if (process.env.HOME) env.HOME = process.env.HOME;
  return env;
}

/**
 * A job submitted before the job it stands in for is known (zoo/beamline_zoo/warm.py --job-file): Python and the
 * zoo are imported, and Slurm's scheduling pass is behind it, by the time the job's command arrives.
 */
interface Standby {
  spec: JobSpec;
  /** argv of the jobs it can become: this prefix, then the command's own arguments. */
  argvPrefix: string[];
  jobFile: string;
  note: string;
  /** The job and its output files, or null when sbatch refused it. */
  submitted: Promise<SubmittedJob | null>;
}

interface SubmittedJob {
  id: string;
  out: string;
  err: string;
}

export interface StandbyRequest {
  /** The standby job's own spec: it runs the standby command, with the resources of the job it stands in for. */
  spec: JobSpec;
  argvPrefix: string[];
  jobFile: string;
  /**
   * Where its job id is noted until the agent has claimed it (handed it a job or cancelled it): a successor of an
   * agent that died in between cancels what the notes name (cancelAbandonedStandby).
   */
  note: string;
}

interface CmdResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export class SlurmExecutor implements Executor {
  readonly kind = "slurm" as const;
  readonly slurmConf: string | undefined;
  private readonly o: Required<
    Pick<
      SlurmExecutorOptions,
      "tailIntervalMs" | "pollIntervalMs" | "cancelGraceMs" | "commandTimeoutMs" | "maxBackoffMs" | "stderrTailLines"
    >
  > &
    SlurmExecutorOptions;

  constructor(opts: SlurmExecutorOptions = {}) {
    const fallback = path.join(process.cwd(), ".data/slurm/slurm.conf");
    this.slurmConf = opts.slurmConf ?? process.env.SLURM_CONF ?? (existsSync(fallback) ? fallback : undefined);
    this.o = {
      tailIntervalMs: 250,
      pollIntervalMs: 1000,
      cancelGraceMs: 10_000,
      commandTimeoutMs: 20_000,
      maxBackoffMs: 15_000,
      stderrTailLines: 20,
      ...opts,
    };
  }

  /**
   * Runs a Slurm client command (no shell), with SLURM_CONF set and a timeout. sbatch runs with a clean
   * environment: a batch job inherits sbatch's, and the agent's own (its token...) must not reach the job.
   */
  run(cmd: "sbatch" | "scontrol" | "scancel", args: string[], cwd?: string): Promise<CmdResult> {
    const file = this.o.commands?.[cmd] ?? cmd;
    // (ProcessEnv's NODE_ENV is Next.js's typing, not something a Slurm command needs.)
    const env = (cmd === "sbatch" ? submitEnv() : { ...process.env }) as NodeJS.ProcessEnv;
    if (this.slurmConf) env.SLURM_CONF = this.slurmConf;
    return new Promise((resolve) => {
      execFile(
        file,
        args,
        { cwd, env, timeout: this.o.commandTimeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const execError = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
          if (execError && typeof execError.code === "string") {
            // spawn failure (ENOENT: Slurm client not installed)
            resolve({ code: null, stdout: "", stderr: `${file}: ${execError.message}`, timedOut: false });
            return;
          }
          resolve({
            code: execError ? (typeof execError.code === "number" ? execError.code : null) : 0,
            stdout: String(stdout),
            stderr: String(stderr),
            timedOut: Boolean(execError?.killed),
          });
        },
      );
    });
  }

  /**
   * Slurm's own estimate of how long a job of this shape would wait to start now (`sbatch --test-only`: the
   * scheduler answers, no job is created), in seconds; null when it gives none.
   */
  async estimateStart(spec: JobSpec): Promise<number | null> {
    const { scriptPath } = await this.writeScript(spec);
    const now = new Date();
    const result = await this.run("sbatch", ["--test-only", scriptPath], spec.workdir);
    return parseTestOnlyStart(`${result.stderr}\n${result.stdout}`, now);
  }

  private readonly standbys = new Map<string, Standby>();

  /**
   * Submits a standby for a job expected soon under `key`, without waiting for sbatch. A standby not taken by
   * then gives up by itself after its own wait (warm.py), so an agent that dies leaves nothing running for long.
   */
  standBy(key: string, request: StandbyRequest): void {
    if (this.standbys.has(key)) return;
    const submitted = this.writeScript(request.spec).then(
      async ({ scriptPath, outputPattern, errorPattern }) => {
        const result = await this.run("sbatch", ["--parsable", scriptPath], request.spec.workdir);
        const id = result.code === 0 ? parseSbatchParsable(result.stdout) : null;
        if (!id) return null;
        // Without the note the standby still gives up by itself; the job it stands in for does not depend on it.
        await mkdir(path.dirname(request.note), { recursive: true })
          .then(() => writeFile(request.note, id))
          .catch(() => undefined);
        return { id, out: outputPattern.replace("%j", id), err: errorPattern.replace("%j", id) };
      },
      () => null,
    );
    this.standbys.set(key, { ...request, submitted });
  }

  /**
   * Keeps the standby under `key` waiting (warm.py gives up its wait-seconds after the last renewal). False when
   * there is none or it already gave up: the caller submits a new one.
   */
  async renewStandby(key: string): Promise<boolean> {
    const standby = this.standbys.get(key);
    if (!standby) return false;
    if (existsSync(`${standby.jobFile}.claim`) || !(await standby.submitted)) {
      this.standbys.delete(key);
      await rm(standby.note, { force: true });
      return false;
    }
    // warm.py reads the file's modification time; writing bytes sets it
    await writeFile(`${standby.jobFile}.renew`, new Date().toISOString());
    return true;
  }

  /** Cancels the standby submitted under `key`, unless it already gave up or was handed its job. */
  async dropStandby(key: string): Promise<void> {
    const standby = this.standbys.get(key);
    if (!standby) return;
    this.standbys.delete(key);
    const job = await standby.submitted;
    if (job) await this.cancelUnclaimed(standby, job.id);
  }

  /** Cancels the standby unless it claimed itself first (it gave up); either way its fate is settled. */
  private async cancelUnclaimed({ jobFile, note }: Pick<StandbyRequest, "jobFile" | "note">, id: string): Promise<boolean> {
    const claimed = await claim(jobFile);
    if (claimed) await this.run("scancel", [id]);
    await rm(note, { force: true });
    return claimed;
  }

  /**
   * Cancels the standby an earlier agent process noted and never handed a job (it died between the stage-in and
   * the training): it would hold its allocation until it gave up by itself.
   */
  async cancelAbandonedStandby(standby: Pick<StandbyRequest, "jobFile" | "note">): Promise<boolean> {
    let id: string;
    try {
      id = (await readFile(standby.note, "utf8")).trim();
    } catch {
      return false;
    }
    if (/^\d+$/.test(id)) return this.cancelUnclaimed(standby, id);
    await rm(standby.note, { force: true });
    return false;
  }

  /**
   * A standby under one of spec.standbyKeys, handed this job, or null. A standby that cannot become this job
   * (other resources or environment) is cancelled; one that has ended or gave up waiting is forgotten.
   */
  private async takeStandby(spec: JobSpec): Promise<JobHandle | null> {
    for (const key of spec.standbyKeys ?? []) {
      const standby = this.standbys.get(key);
      if (!standby) continue;
      validateSpec(spec);
      if (!standbyFits(standby, spec)) {
        await this.dropStandby(key);
        continue;
      }
      this.standbys.delete(key);
      const handle = await this.handOver(standby, spec);
      if (handle) return handle;
    }
    return null;
  }

  private async handOver(standby: Standby, spec: JobSpec): Promise<JobHandle | null> {
    const job = await standby.submitted;
    if (!job) return null;
    // Killed by Slurm, or failed to start: a job file handed to it would never run. When Slurm cannot say, the
    // job goes the usual way and the standby is cancelled rather than left holding its allocation.
    const answer = await this.showJob(job.id);
    if (answer.kind !== "ok" || !isActiveState(answer.info.state)) {
      await this.cancelUnclaimed(standby, job.id);
      return null;
    }
    const claimed = await claim(standby.jobFile);
    await rm(standby.note, { force: true });
    if (!claimed) return null;
    await mkdir(spec.workdir, { recursive: true });
    const command = { args: spec.argv.slice(standby.argvPrefix.length), cwd: spec.workdir };
    await writeFile(`${standby.jobFile}.tmp`, JSON.stringify(command), { mode: 0o600 });
    await rename(`${standby.jobFile}.tmp`, standby.jobFile);
    return new SlurmJob(this, this.o, job.id, spec.workdir, { out: job.out, err: job.err }, true);
  }

  /** scontrol show job -o; "unreachable" on transient errors, "gone" when Slurm forgot the job. */
  async showJob(id: string): Promise<{ kind: "ok"; info: SlurmJobInfo } | { kind: "unreachable"; msg: string } | { kind: "gone" }> {
    const result = await this.run("scontrol", ["show", "job", "-o", id]);
    if (result.code === 0) {
      const line = result.stdout.split("\n").find((outputLine) => outputLine.startsWith(`JobId=${id} `));
      const info = line ? parseJobInfo(line) : null;
      if (info) return { kind: "ok", info };
      return { kind: "unreachable", msg: `unparseable scontrol output: ${result.stdout.slice(0, 200)}` };
    }
    const msg = (result.stderr || result.stdout).trim();
    if (isInvalidJobId(msg)) return { kind: "gone" };
    return { kind: "unreachable", msg: result.timedOut ? "scontrol timed out" : msg || `scontrol exited ${result.code}` };
  }

  async start(spec: JobSpec): Promise<JobHandle> {
    const handedOver = await this.takeStandby(spec);
    if (handedOver) return handedOver;
    const { scriptPath, outputPattern, errorPattern } = await this.writeScript(spec);
    const result = await this.run("sbatch", ["--parsable", scriptPath], spec.workdir);
    const id = result.code === 0 ? parseSbatchParsable(result.stdout) : null;
    if (!id) {
      const msg = (result.stderr || result.stdout).trim() || `sbatch exited with ${result.code}`;
      if (result.timedOut || result.code === null || isControllerUnreachable(msg)) {
        throw new SlurmUnavailableError(`Slurm controller unreachable, job not submitted: ${msg}`);
      }
      throw new SlurmSubmitError(`sbatch rejected the job: ${msg}`);
    }
    return new SlurmJob(this, this.o, id, spec.workdir, {
      out: outputPattern.replace("%j", id),
      err: errorPattern.replace("%j", id),
    });
  }

  private async writeScript(spec: JobSpec) {
    validateSpec(spec);
    if (!SAFE_SLURM_PATH.test(spec.workdir)) {
      throw new InvalidJobSpecError(`workdir must be a plain path for Slurm (no spaces, quotes or %): ${spec.workdir}`);
    }
    await mkdir(spec.workdir, { recursive: true });
    const outputPattern = path.join(spec.workdir, `${spec.runId}.slurm-%j.out`);
    const errorPattern = path.join(spec.workdir, `${spec.runId}.slurm-%j.err`);
    const script = renderSbatchScript(spec, {
      jobName: `br-${spec.runId}`.slice(0, 64),
      outputPattern,
      errorPattern,
      partition: this.o.partition,
      memPerCpuMb: this.o.memPerCpuMb,
      // srun inside the job reads the same cluster configuration as the agent's sbatch
      env: spec.parallel && this.slurmConf ? { ...baseJobEnv(spec), SLURM_CONF: this.slurmConf } : baseJobEnv(spec),
    });
    const scriptPath = path.join(spec.workdir, `${spec.runId}.sbatch`);
    await writeFile(scriptPath, script, { mode: 0o700 });
    return { scriptPath, outputPattern, errorPattern };
  }

  /** Reconnects to a job by id (output is re-read from the start; callers dedupe). */
  async attach(executorJobId: string, workdir: string): Promise<JobHandle> {
    if (!/^\d+$/.test(executorJobId)) throw new InvalidJobSpecError(`not a Slurm job id: ${executorJobId}`);
    let out: string | null = null;
    let err: string | null = null;
    try {
      for (const fileName of await readdir(workdir)) {
        if (fileName.endsWith(`.slurm-${executorJobId}.out`)) out = path.join(workdir, fileName);
        if (fileName.endsWith(`.slurm-${executorJobId}.err`)) err = path.join(workdir, fileName);
      }
    } catch {
      /* workdir gone: learn the paths from scontrol */
    }
    return new SlurmJob(this, this.o, executorJobId, workdir, { out, err });
  }

  /** Looks a job up in the jobcomp/filetxt log (for jobs older than MinJobAge). */
  async jobFromJobComp(jobId: string): Promise<SlurmJobInfo | null> {
    const result = await this.run("scontrol", ["show", "config"]);
    if (result.code !== 0) return null;
    const type = /^JobCompType\s*=\s*(\S+)/m.exec(result.stdout)?.[1];
    const loc = /^JobCompLoc\s*=\s*(\S+)/m.exec(result.stdout)?.[1];
    if (type !== "jobcomp/filetxt" || !loc) return null;
    let text: string;
    try {
      text = await readFile(loc, "utf8");
    } catch {
      return null;
    }
    let found: SlurmJobInfo | null = null;
    for (const line of text.split("\n")) {
      if (line.startsWith(`JobId=${jobId} `)) {
        const keyValues = parseKeyValues(line);
        found = parseJobInfo(line) ?? null;
        if (found && !keyValues.ExitCode) found.exitCode = null;
      }
    }
    return found;
  }
}

/** One submitted job: tails its output file and polls its state until it ends. */
class SlurmJob implements JobHandle {
  readonly executorJobId: string;
  readonly startedWarm: boolean;
  private queue = new LineQueue();
  private outPath: string | null;
  private errPath: string | null;
  private offset = 0;
  private cancelRequested = false;
  private lastInfo: SlurmJobInfo | null = null;
  private finished = false;
  private resolveRunning!: (runningInfo: RunningInfo | null) => void;
  private readonly runningP: Promise<RunningInfo | null>;
  private resolveDone!: (outcome: JobOutcome) => void;
  private readonly doneP: Promise<JobOutcome>;
  private runningSettled = false;
  private unreachableSince: number | null = null;
  private lastStatusMsg = "";
  private wakePoll: (() => void) | null = null;
  private nextQuery = 0;

  constructor(
    private readonly slurmExecutor: SlurmExecutor,
    private readonly options: SlurmExecutorOptions & {
      tailIntervalMs: number;
      pollIntervalMs: number;
      cancelGraceMs: number;
      maxBackoffMs: number;
      stderrTailLines: number;
    },
    jobId: string,
    private readonly workdir: string,
    paths: { out: string | null; err: string | null },
    /** A standby job (Python and the zoo already imported) became this job. */
    startedWarm = false,
  ) {
    this.executorJobId = jobId;
    this.startedWarm = startedWarm;
    this.outPath = paths.out;
    this.errPath = paths.err;
    this.runningP = new Promise((done) => (this.resolveRunning = done));
    this.doneP = new Promise((done) => (this.resolveDone = done));
    void this.loop();
  }

  lines(): AsyncIterable<string> {
    return this.queue.iterate();
  }
  running(): Promise<RunningInfo | null> {
    return this.runningP;
  }
  wait(): Promise<JobOutcome> {
    return this.doneP;
  }

  private status(message: string, transient: boolean): void {
    if (message === this.lastStatusMsg) return;
    this.lastStatusMsg = message;
    this.options.onStatus?.({ executorJobId: this.executorJobId, message, transient, at: new Date() });
  }

  private settleRunning(runningInfo: RunningInfo | null): void {
    if (this.runningSettled) return;
    this.runningSettled = true;
    this.resolveRunning(runningInfo);
  }

  /** Reads whatever was appended to the output file since last time. */
  private async drainOutput(): Promise<void> {
    if (!this.outPath) return;
    let handle;
    try {
      handle = await open(this.outPath, "r");
    } catch {
      return; // not created yet (job pending)
    }
    try {
      const buf = Buffer.allocUnsafe(256 * 1024);
      for (;;) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, this.offset);
        if (bytesRead <= 0) break;
        this.offset += bytesRead;
        this.queue.pushBytes(buf.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  }

  private sleepPoll(ms: number): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.wakePoll = null;
        done();
      }, ms);
      this.wakePoll = () => {
        clearTimeout(timer);
        this.wakePoll = null;
        done();
      };
    });
  }

  private async loop(): Promise<void> {
    let backoff = 1000;
    try {
      for (;;) {
        await this.drainOutput();
        if (Date.now() >= this.nextQuery) {
          const answer = await this.slurmExecutor.showJob(this.executorJobId);
          if (answer.kind === "ok") {
            if (this.unreachableSince !== null) {
              const seconds = ((Date.now() - this.unreachableSince) / 1000).toFixed(0);
              this.status(`Slurm controller reachable again after ${seconds}s`, false);
              this.unreachableSince = null;
            }
            backoff = 1000;
            const info = answer.info;
            this.lastInfo = info;
            if (info.stdOut && !this.outPath) this.outPath = info.stdOut;
            if (info.stdErr && !this.errPath) this.errPath = info.stdErr;
            if (hasRun(info)) {
              this.settleRunning({ startedAt: info.startTime ?? new Date(), observedAt: new Date() });
            }
            const outcome = outcomeFromInfo(info, this.cancelRequested);
            if (outcome) {
              if (!hasRun(info)) this.settleRunning(null);
              await this.finish(outcome);
              return;
            }
            this.status(info.state === "PENDING" ? `pending (${info.reason || "queued"})` : info.state.toLowerCase(), false);
            this.nextQuery = Date.now() + this.options.pollIntervalMs;
          } else if (answer.kind === "gone") {
            // older than MinJobAge (or never existed): try the jobcomp log, else give up
            const info = await this.slurmExecutor.jobFromJobComp(this.executorJobId);
            const outcome = info ? outcomeFromInfo(info, this.cancelRequested) : null;
            if (info && hasRun(info)) this.settleRunning({ startedAt: info.startTime ?? new Date(), observedAt: new Date() });
            this.settleRunning(null);
            await this.finish(
              outcome ?? {
                state: "failed",
                exitCode: null,
                detail: `Slurm no longer knows job ${this.executorJobId} (finished more than MinJobAge ago, or never existed); last seen state: ${this.lastInfo?.state ?? "never"}`,
              },
            );
            return;
          } else {
            this.unreachableSince ??= Date.now();
            const seconds = Math.round(backoff / 1000);
            this.status(`Slurm controller unreachable (${answer.msg}); retrying in ${seconds}s`, true);
            this.nextQuery = Date.now() + backoff;
            backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
          }
        }
        await this.sleepPoll(Math.min(this.options.tailIntervalMs, Math.max(0, this.nextQuery - Date.now())));
      }
    } catch (error) {
      // programming/IO error: never leave wait() hanging
      this.settleRunning(null);
      await this.finish({ state: "failed", exitCode: null, detail: `executor error: ${(error as Error).message}` });
    }
  }

  private async finish(outcome: JobOutcome): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      await this.drainOutput();
    } catch {
      /* keep going */
    }
    this.queue.close();
    if (outcome.state === "failed" || outcome.state === "timeout") {
      const tail = this.errPath ? lastLines(await readTail(this.errPath), this.options.stderrTailLines) : [];
      if (tail.length) outcome = { ...outcome, detail: `${outcome.detail}\nstderr (last ${tail.length} lines):\n${tail.join("\n")}` };
    }
    this.status(`ended: ${outcome.state}`, false);
    this.resolveDone(outcome);
  }

  async cancel(): Promise<void> {
    if (this.finished) return;
    this.cancelRequested = true;
    const id = this.executorJobId;
    const pending = this.lastInfo?.state === "PENDING" || !this.lastInfo;
    if (!pending) {
      // SIGTERM to every step including the batch script, so the trainer can save and exit
      await this.slurmExecutor.run("scancel", ["--signal=TERM", "--full", id]);
      this.nextQuery = 0;
      this.wakePoll?.();
      const ended = await Promise.race([this.doneP.then(() => true), delay(this.options.cancelGraceMs).then(() => false)]);
      if (ended) return;
    }
    await this.slurmExecutor.run("scancel", [id]);
    this.nextQuery = 0;
    this.wakePoll?.();
    const ended = await Promise.race([this.doneP.then(() => true), delay(this.options.cancelGraceMs).then(() => false)]);
    if (!ended) {
      await this.slurmExecutor.run("scancel", ["--signal=KILL", "--full", id]);
      await Promise.race([this.doneP, delay(this.options.cancelGraceMs)]);
    }
  }
}

/** Whether a standby can become this job: the same command prefix, resources and environment. */
function standbyFits(standby: Standby, spec: JobSpec): boolean {
  const { argvPrefix, spec: own } = standby;
  return (
    sameRecord(own.env, spec.env) &&
    own.cpus === spec.cpus &&
    JSON.stringify(own.parallel ?? null) === JSON.stringify(spec.parallel ?? null) &&
    spec.argv.length > argvPrefix.length &&
    argvPrefix.every((arg, i) => spec.argv[i] === arg)
  );
}

/** The claim warm.py's standby makes when it gives up: whoever creates the file first decides its fate. */
async function claim(jobFile: string): Promise<boolean> {
  try {
    await (await open(`${jobFile}.claim`, "wx")).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms).unref?.());
}
