// Real processes for integration tests: a database of the test's own (a copy of the migrated template
// that scripts/test.sh prepares), the built dashboard, the worker and agents, each killable on demand.
// Nothing here is a fake: tests drive the same programs `npm start` runs.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const SERVER_URL = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:54339/postgres";
const TEMPLATE = process.env.TEST_TEMPLATE_DB ?? "beamline_template";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

/** A fresh database cloned from the migrated, seeded template. */
export async function createDatabase(name: string, serverUrl = SERVER_URL): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}" template "${TEMPLATE}"`);
  await admin.end();
  return serverUrl.replace(/\/[^/]*$/, `/${name}`);
}

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
}

export interface StackOptions {
  name: string;
  port?: number;
  env?: Record<string, string>;
  /** Another PostgreSQL server holding the template (e.g. a PgCluster a test may restart); default TEST_PG_URL. */
  serverUrl?: string;
}

export class Stack {
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly prisma: PrismaClient;
  url = "";
  private port = 0;
  private procs = new Map<string, Proc>();

  private constructor(
    readonly name: string,
    databaseUrl: string,
    private readonly extraEnv: Record<string, string>,
  ) {
    this.databaseUrl = databaseUrl;
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `beamline-${name}-`));
    this.prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 4 }) });
  }

  /** A database of its own, copied from the template (demo users, families, trainers, edge host, datasets). */
  static async create(options: StackOptions): Promise<Stack> {
    const url = await createDatabase(`it_${options.name.replace(/[^a-z0-9_]/gi, "_")}`, options.serverUrl);
    const stack = new Stack(options.name, url, options.env ?? {});
    stack.port = options.port ?? (await freePort());
    stack.url = `http://127.0.0.1:${stack.port}`;
    return stack;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      // scripts/lib.sh sets it for the seed too: the seeded agents' seal keys derive from it
      NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "integration-test-secret-0123456789abcdef",
      NEXTAUTH_URL: this.url,
      NEXT_TELEMETRY_DISABLED: "1",
      AGENT_LEASE_SECONDS: "6",
      AGENT_OFFLINE_SECONDS: "20",
      SWEEP_INTERVAL_MS: "500",
      BCRYPT_COST: "4",
      // Calibration costs each agent seconds of CPU on connect: only the tests about it turn it on.
      AGENT_CALIBRATE: "0",
      // Drift spot checks likewise (the edge runs them after every deploy): only the tests about drift turn them on.
      AGENT_SPOT_CHECKS: "0",
      // Data-plane probes likewise (they move ~150 MiB between each edge and trainer agent): only the tests about them.
      AGENT_PROBE: "0",
      ...this.extraEnv,
      ...extra,
    };
  }

  private start(name: string, argv: string[], env: NodeJS.ProcessEnv): Proc {
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const proc: Proc = { name, child, output: [] };
    const keep = (chunk: Buffer) => {
      proc.output.push(chunk.toString());
      if (proc.output.length > 400) proc.output.splice(0, 100);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.procs.set(name, proc);
    return proc;
  }

  /** A dashboard process; more than one (other names and ports, one database) run behind a balancer at `url`. */
  async startWeb(name = "web", port = this.port, extra: Record<string, string> = {}) {
    this.start(
      name,
      [process.execPath, "node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"],
      this.env(extra),
    );
    await waitFor(`the dashboard ${name}`, async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).ok, 60_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n--- dashboard output ---\n${this.output(name).slice(-3000)}`);
      },
    );
  }

  startWorker(name = "worker") {
    this.start(name, [process.execPath, "--import", "tsx", "worker/main.ts"], this.env());
  }

  /** The agent's working directory (the same on every start of that role, so a restart finds its files). */
  agentWorkdir(role: "trainer" | "slurm" | "edge"): string {
    return path.join(this.dataDir, role === "edge" ? "edge" : `${role}-agent`);
  }

  /** Whether the named process was started and has not exited. */
  isRunning(name: string): boolean {
    const proc = this.procs.get(name);
    return Boolean(proc && proc.child.exitCode === null && proc.child.signalCode === null);
  }

  /** Starts an agent with the token the seed wrote for it (trainer | slurm | edge). */
  startAgent(role: "trainer" | "slurm" | "edge", extra: Record<string, string> = {}) {
    const workdir = this.agentWorkdir(role);
    const tokenFile = path.join(process.env.TEST_SEED_DIR ?? path.join(ROOT, ".data/test-seed"), "agents", `${role}.token`);
    // `node --import tsx` keeps the agent one process, so a SIGKILL really kills it (the tsx CLI forks).
    this.start(
      `agent-${role}`,
      [process.execPath, "--import", "tsx", "agent/main.ts"],
      this.env({
        DASHBOARD_URL: this.url,
        AGENT_TOKEN_FILE: tokenFile,
        AGENT_WORKDIR: workdir,
        AGENT_SERVE_ROOTS: `${workdir}:${process.env.TEST_SEED_DIR ?? path.join(ROOT, ".data/test-seed")}`,
        ...extra,
      }),
    );
  }

  /**
   * Starts an agent under a name of the test's choosing with a token it issued itself (e.g. extra
   * trainers of a benchmark); its process is `agent-<name>`.
   */
  startAgentWithToken(name: string, token: string, workdir: string, extra: Record<string, string> = {}) {
    const seedDir = process.env.TEST_SEED_DIR ?? path.join(ROOT, ".data/test-seed");
    this.start(
      `agent-${name}`,
      [process.execPath, "--import", "tsx", "agent/main.ts"],
      this.env({
        DASHBOARD_URL: this.url,
        AGENT_TOKEN: token,
        AGENT_WORKDIR: workdir,
        AGENT_SERVE_ROOTS: `${workdir}:${seedDir}`,
        ...extra,
      }),
    );
  }

  async startAll() {
    await this.startWeb();
    this.startWorker();
    this.startAgent("trainer");
    this.startAgent("edge");
    await this.waitForAgents(["local-trainer-agent", "edge-agent"]);
  }

  async waitForAgents(names: string[]) {
    await waitFor(`agents ${names.join(", ")} online`, async () => {
      const agents = await this.prisma.agent.findMany({
        where: { name: { in: names }, dataPlaneUrl: { not: null }, lastHeartbeatAt: { gt: new Date(Date.now() - 5000) } },
      });
      return agents.length === names.length;
    });
  }

  /** Sends `signal` to a process (SIGKILL: as if the machine lost it) and waits for it to exit. */
  async kill(name: string, signal: NodeJS.Signals = "SIGKILL", graceMs = 15_000) {
    const proc = this.procs.get(name);
    if (!proc) return;
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      this.procs.delete(name);
      return;
    }
    const exited = new Promise<boolean>((r) => proc.child.once("exit", () => r(true)));
    proc.child.kill(signal);
    if (signal !== "SIGKILL") {
      // A process that ignores a polite signal is a finding, not a reason to hang the suite.
      const inTime = await Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
      if (!inTime) {
        this.slowToStop.push(name);
        console.error(`[stack] ${name} did not exit ${graceMs} ms after ${signal}; killing it.\n${this.output(name).slice(-2000)}`);
        proc.child.kill("SIGKILL");
      }
    }
    await exited;
    this.procs.delete(name);
  }

  /** Sends a signal without waiting for an exit (SIGSTOP/SIGCONT: a process that freezes, as behind a partition). */
  signal(name: string, signal: NodeJS.Signals) {
    const proc = this.procs.get(name);
    if (!proc) throw new Error(`no process ${name}`);
    proc.child.kill(signal);
  }

  /** Processes that needed SIGKILL after a SIGTERM (see kill). */
  readonly slowToStop: string[] = [];

  output(name: string): string {
    return this.procs.get(name)?.output.join("") ?? "";
  }

  async waitForRun(runId: string, statuses: string[], timeoutMs = 180_000) {
    return waitFor(
      `run ${runId} to be ${statuses.join("/")}`,
      async () => {
        const run = await this.prisma.run.findUnique({ where: { id: runId } });
        return run && statuses.includes(run.status) ? run : null;
      },
      timeoutMs,
      250,
    );
  }

  async waitForStep(runId: string, step: string, status = "running", timeoutMs = 120_000) {
    return waitFor(
      `step ${step} of run ${runId} to be ${status}`,
      async () => this.prisma.runStep.findFirst({ where: { runId, name: step as never, status: status as never } }),
      timeoutMs,
      100,
    );
  }

  /** Stops everything; fails if any process (now or earlier, see kill) needed SIGKILL after SIGTERM. */
  async stop() {
    // Agents first, the dashboard last: Next drains open requests (agents' long-polls) before exiting.
    const order = (name: string) => (name.startsWith("agent-") ? 0 : name.startsWith("worker") ? 1 : 2);
    for (const name of [...this.procs.keys()].sort((a, b) => order(a) - order(b))) await this.kill(name, "SIGTERM");
    await this.prisma.$disconnect();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    if (this.slowToStop.length) {
      throw new Error(`${this.slowToStop.join(", ")} did not exit within the grace period after SIGTERM (output above)`);
    }
  }
}

/**
 * A stack whose trainer is the one-node Slurm cluster: dashboard, worker, the Slurm login agent and the edge
 * agent. The cluster must be up (scripts/test.sh starts it): this fails, never skips, when it is not.
 */
export async function startSlurmStack(name: string, slurmConf: string): Promise<Stack> {
  execFileSync("squeue", ["-h"], { env: { ...process.env, SLURM_CONF: slurmConf }, stdio: "pipe", timeout: 15_000 });
  const stack = await Stack.create({ name });
  await stack.startWeb();
  stack.startWorker();
  stack.startAgent("slurm");
  stack.startAgent("edge");
  await stack.waitForAgents(["slurm-login-agent", "edge-agent"]);
  return stack;
}
