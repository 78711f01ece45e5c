#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary (which Prisma 7 downloads from
// binaries.prisma.sh). Point PRISMA_SCHEMA_ENGINE_BINARY at this file. It speaks the same
// JSON-RPC-over-stdio protocol, but runs @prisma/schema-engine-wasm (from npm) through
// @prisma/adapter-pg. PostgreSQL only.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import pg from "pg";

const require = createRequire(path.join(process.cwd(), "package.json"));
const ENGINE_HASH = "d1b3f377ca835d73fd50954a5e22128b9ebdd6b8";

// ---- argv -------------------------------------------------------------------------------
const argv = process.argv.slice(2);
if (argv.includes("--version") || argv.includes("-V")) {
  process.stdout.write(`schema-engine-cli ${ENGINE_HASH}\n`);
  process.exit(0);
}
const datamodelPaths = [];
let datasource = {};
let cliCommand = null;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--datamodels" || a === "-d") datamodelPaths.push(argv[++i]);
  else if (a === "--datasource") datasource = JSON.parse(argv[++i]);
  else if (a === "--enabled-preview-features" || a === "--extension-types") i++;
  else if (a === "cli") cliCommand = argv[++i];
}
const url = datasource.url ?? process.env.DATABASE_URL;
const log = (msg) => {
  if (process.env.SHIM_DEBUG) process.stderr.write(`[shim] ${msg}\n`);
};

// ---- pg quirks (prisma/orm#27403) ------------------------------------------------------
// @prisma/adapter-pg cannot map the pg_catalog types "char" (oid 18) and name (oid 19) that the
// schema engine's introspection queries return. Report them as text at the pg level, and
// remember the "char" columns so they can be typed as Character again (PostgreSQL 18 returns
// NOT NULL constraints, contype 'n', which the describer reads with get_char).
const charCols = new WeakMap();
const origQuery = pg.Client.prototype.query;
const fixTypes = (res) => {
  for (const r of Array.isArray(res) ? res : [res]) {
    const chars = [];
    (r?.fields ?? []).forEach((f, i) => {
      if (f.dataTypeID === 18) {
        chars.push(i);
        f.dataTypeID = 25;
      } else if (f.dataTypeID === 19) f.dataTypeID = 25;
    });
    if (chars.length && r.rows) charCols.set(r.rows, chars);
  }
  return res;
};
pg.Client.prototype.query = function (...args) {
  const last = args[args.length - 1];
  if (typeof last === "function") {
    args[args.length - 1] = (err, res) => last(err, err ? res : fixTypes(res));
    return origQuery.apply(this, args);
  }
  if (args[0] && typeof args[0] === "object" && typeof args[0].callback === "function") {
    const cb = args[0].callback;
    args[0].callback = (err, res) => cb(err, err ? res : fixTypes(res));
    return origQuery.apply(this, args);
  }
  const r = origQuery.apply(this, args);
  return r && typeof r.then === "function" ? r.then(fixTypes) : r;
};

function pgConfig(u, database) {
  const x = new URL(u);
  return {
    host: x.hostname || x.searchParams.get("host") || "localhost",
    port: Number(x.port || 5432),
    user: decodeURIComponent(x.username) || undefined,
    password: decodeURIComponent(x.password) || undefined,
    database: database ?? decodeURIComponent(x.pathname.slice(1)),
  };
}
function schemaOf(u) {
  return new URL(u).searchParams.get("schema") ?? undefined;
}

// stderr log lines the CLI parses for `cli ...` subcommands (it skips the first line)
function cliFail(code, message) {
  process.stderr.write(
    "\n" + JSON.stringify({ level: "ERROR", target: "schema_engine::logger", fields: { error_code: code, message } }) + "\n",
  );
  process.exit(1);
}

if (cliCommand) {
  const cfg = pgConfig(url);
  const admin = new pg.Client({ ...cfg, database: "postgres" });
  try {
    if (cliCommand === "can-connect-to-database") {
      const c = new pg.Client(cfg);
      try {
        await c.connect();
        await c.end();
        process.exit(0);
      } catch (e) {
        if (e.code === "3D000") cliFail("P1003", `Database \`${cfg.database}\` does not exist`);
        cliFail("P1001", `Can't reach database server: ${e.message}`);
      }
    }
    await admin.connect();
    if (cliCommand === "create-database") {
      await admin.query(`CREATE DATABASE "${cfg.database.replace(/"/g, '""')}"`);
      process.stdout.write(JSON.stringify({ database_name: cfg.database }) + "\n");
    } else if (cliCommand === "drop-database") {
      await admin.query(`DROP DATABASE IF EXISTS "${cfg.database.replace(/"/g, '""')}" WITH (FORCE)`);
    } else {
      cliFail("P1000", `schema-engine shim: unsupported cli command ${cliCommand}`);
    }
    await admin.end();
    process.exit(0);
  } catch (e) {
    cliFail("P1000", e.message);
  }
}

// ---- JSON-RPC server backed by the wasm schema engine -----------------------------------
const { PrismaPg } = require("@prisma/adapter-pg");
const { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } = require("@prisma/driver-adapter-utils");

class ShimFactory extends PrismaPg {
  // upstream connectToShadowDb lets a connectionString override the shadow db name and
  // drops the shadow db before closing its pool; do it properly (or use shadowDatabaseUrl).
  async connectToShadowDb() {
    log("connectToShadowDb called");
    if (datasource.shadowDatabaseUrl) {
      return new PrismaPg(pgConfig(datasource.shadowDatabaseUrl), { schema: schemaOf(datasource.shadowDatabaseUrl) }).connect();
    }
    const admin = await this.connect();
    log("admin connected");
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await admin.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = await new PrismaPg(pgConfig(url, database)).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await admin.executeScript(`DROP DATABASE "${database}"`);
      await admin.dispose();
    };
    return shadow;
  }
}

{
  // re-type the "char" columns recorded above (patch the shared queryRaw of the pg adapter)
  const probe = await new PrismaPg(pgConfig(url)).connect(); // lazy pool: opens no connection
  let proto = Object.getPrototypeOf(probe);
  while (proto && !Object.hasOwn(proto, "queryRaw")) proto = Object.getPrototypeOf(proto);
  const origQueryRaw = proto.queryRaw;
  proto.queryRaw = async function (q) {
    const r = await origQueryRaw.call(this, q);
    for (const i of charCols.get(r.rows) ?? []) r.columnTypes[i] = ColumnTypeEnum.Character;
    return r;
  };
  // adapter-pg's executeScript splits the script on ";" -- it breaks every migration with a
  // $$-quoted function/DO block or a ';' inside a string literal. The engine applies each
  // migration.sql through it, so send the script whole (simple-query protocol allows several
  // statements, like the native engine's raw_cmd).
  let sproto = Object.getPrototypeOf(probe);
  while (sproto && !Object.hasOwn(sproto, "executeScript")) sproto = Object.getPrototypeOf(sproto);
  sproto.executeScript = async function (script) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
  await probe.dispose();
}

let inFlight = null; // id of the request being served, to answer it if the wasm engine panics
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  message: "",
  set_message(m) {
    this.message = `RuntimeError: ${m}`;
  },
};
process.on("uncaughtException", (e) => {
  const message = globalThis.PRISMA_WASM_PANIC_REGISTRY.message || String(e?.stack ?? e);
  process.stderr.write(`schema-engine shim: ${message}\n`);
  if (inFlight !== null) {
    process.stdout.write(
      JSON.stringify({
        jsonrpc: "2.0",
        id: inFlight,
        error: {
          code: 4466,
          message: "An error happened. Check the data field for details.",
          data: { is_panic: true, message, meta: null, error_code: null },
        },
      }) + "\n",
    );
  }
  setTimeout(() => process.exit(101), 50);
});
const wasmDir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
const glue = await import(pathToFileURL(path.join(wasmDir, "schema_engine_bg.js")).href);
const mod = new WebAssembly.Module(fs.readFileSync(path.join(wasmDir, "schema_engine_bg.wasm")));
const inst = new WebAssembly.Instance(mod, { "./schema_engine_bg.js": glue });
glue.__wbg_set_wasm(inst.exports);
inst.exports.__wbindgen_start();

const factory = bindMigrationAwareSqlAdapterFactory(new ShimFactory(pgConfig(url), { schema: schemaOf(url) }));
const datamodels = datamodelPaths.map((p) => [p, fs.readFileSync(p, "utf8")]);
const engine = await glue.SchemaEngine.new({ datamodels: datamodels.length ? datamodels : undefined }, log, factory);

const METHOD = { getDatabaseVersion: "version" };
let printId = 1_000_000;
const send = (msg) => process.stdout.write(JSON.stringify(msg) + "\n");
const rl = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
rl.on("line", (line) => {
  if (!line.trim()) return;
  const req = JSON.parse(line);
  if (req.method === undefined) return; // ack of our "print" request
  queue = queue.then(async () => {
    try {
      const m = METHOD[req.method] ?? req.method;
      inFlight = req.id;
      if (typeof engine[m] !== "function")
        throw Object.assign(new Error(`schema-engine shim: unknown method ${req.method}`), { code: "P1000" });
      // Upstream wasm bug (also in Prisma 6's engine:"js" path): evaluateDataLoss/createMigration
      // only read the migrations' schema from a cache that devDiagnostic fills when it needs a
      // shadow DB; on a database that was behind, the cache is empty and the engine fails with
      // "PostgreSQL shadow DB must be provided through an external factory". Warm the cache
      // through diagnoseMigrationHistory, which does use the adapter's shadow-db factory.
      if ((m === "evaluateDataLoss" || m === "createMigration") && req.params?.migrationsList) {
        await engine.diagnoseMigrationHistory({
          migrationsList: req.params.migrationsList,
          optInToShadowDatabase: true,
          filters: req.params.filters ?? { externalTables: [], externalEnums: [] },
        });
      }
      let result = await engine[m](req.params);
      if (m === "diff" && result && typeof result.stdout === "string") {
        send({ jsonrpc: "2.0", id: printId++, method: "print", params: { content: result.stdout.replace(/\n$/, "") } });
        result = { exitCode: result.exitCode };
      }
      send({ jsonrpc: "2.0", id: req.id, result: result ?? null });
      inFlight = null;
    } catch (e) {
      const isPanic = e?.name === "RuntimeError";
      const message = isPanic ? globalThis.PRISMA_WASM_PANIC_REGISTRY.message : (e?.message ?? String(e));
      send({
        jsonrpc: "2.0",
        id: req.id,
        error: {
          code: 4466,
          message: "An error happened. Check the data field for details.",
          data: { is_panic: isPanic, message, meta: e?.meta ?? null, error_code: e?.code ?? null },
        },
      });
      inFlight = null;
    }
  });
});
rl.on("close", async () => {
  await queue;
  try {
    engine.free();
  } catch {}
  process.exit(0);
});
