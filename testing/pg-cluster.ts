// A PostgreSQL server of a test's own (its own data folder and port), holding a copy of the shared
// server's seeded template, so that a test may stop and restart PostgreSQL without touching the
// server every other test process uses. Started and stopped with scripts/postgres.ts (as root it runs
// pg_ctl as the postgres user), exactly as the product's own scripts do.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@/testing/stack";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const SHARED_URL = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:54339/postgres";
const TEMPLATE = process.env.TEST_TEMPLATE_DB ?? "beamline_template";

function postgresScript(command: "start" | "stop", dir: string, port: number) {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "scripts/postgres.ts", command, "--dir", dir, "--port", String(port), "--db", "postgres"],
    { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 90_000 },
  );
  if (r.status !== 0) throw new Error(`scripts/postgres.ts ${command} failed (${r.status}): ${r.stderr || r.stdout}`);
}

/** Pipes `pg_dump` of one database into `psql` of another (schema and data). */
function copyDatabase(fromUrl: string, toUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const dump = spawn("pg_dump", ["--no-owner", "--no-privileges", "-d", fromUrl], { stdio: ["ignore", "pipe", "pipe"] });
    const load = spawn("psql", ["-q", "-v", "ON_ERROR_STOP=1", "-d", toUrl], { stdio: ["pipe", "ignore", "pipe"] });
    let errors = "";
    dump.stderr.on("data", (c: Buffer) => (errors += c.toString()));
    load.stderr.on("data", (c: Buffer) => (errors += c.toString()));
    dump.stdout.pipe(load.stdin);
    let pending = 2;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0) reject(new Error(`${what} exited ${code}: ${errors.slice(-2000)}`));
      else if (--pending === 0) resolve();
    };
    dump.on("exit", done("pg_dump"));
    load.on("exit", done("psql"));
  });
}

export class PgCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** The server's maintenance database URL (Stack.create's serverUrl). */
  get serverUrl(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** initdb + start on a free port, then copy the shared server's template into a template of its own. */
  static async start(name: string): Promise<PgCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `beamline-pg-${name}-`));
    fs.chmodSync(dir, 0o755);
    const cluster = new PgCluster(dir, await freePort());
    postgresScript("start", dir, cluster.port);
    const admin = cluster.serverUrl;
    const create = spawnSync("psql", ["-q", "-v", "ON_ERROR_STOP=1", "-d", admin, "-c", `create database "${TEMPLATE}"`], {
      encoding: "utf8",
    });
    if (create.status !== 0) throw new Error(`create database ${TEMPLATE}: ${create.stderr}`);
    await copyDatabase(SHARED_URL.replace(/\/[^/]*$/, `/${TEMPLATE}`), admin.replace(/\/[^/]*$/, `/${TEMPLATE}`));
    return cluster;
  }

  /** Fast shutdown: every connection is cut. */
  stop() {
    postgresScript("stop", this.dir, this.port);
  }

  start() {
    postgresScript("start", this.dir, this.port);
  }

  destroy() {
    try {
      this.stop();
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
