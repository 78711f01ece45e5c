// Page-data benchmark on a SCRATCH database: seeds 100 000 runs with their steps, then times the server
// functions behind the runs list, the turnaround report, the prediction-error page and the cost-model page.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:54329/bench_pages npx prisma migrate deploy
//   DATABASE_URL=postgresql://postgres@127.0.0.1:54329/bench_pages node --conditions=react-server --import tsx scripts/bench/pages.ts [--runs 100000] [--calls 20] [--reseed]
//
// (`--conditions=react-server`: lib/server's modules are marked `server-only`, as Next's server resolves them.)
//
// Refuses to run against a database named "beamline" or one holding runs it did not seed. Seeding is done in
// PostgreSQL with INSERT … SELECT over generate_series (one statement per table), so 100 000 runs and ~470 000
// steps take well under a minute on 2 cores. Prints a table and a JSON line; target < 300 ms per call.
import { performance } from "node:perf_hooks";
import { prisma } from "@/lib/db";
import type { Actor } from "@/lib/auth/permissions";
import { listRuns, runFilters } from "@/lib/server/runs/list-runs";
import { getTurnaroundData } from "@/lib/server/turnaround/get-turnaround";
import { getPredictionErrors } from "@/lib/server/turnaround/get-prediction-errors";
import { getMeasuredParameters } from "@/lib/server/cost-model/get-measured-parameters";
import { parseCostModelParams, parsePredictionParams, parseTurnaroundParams } from "@/lib/turnaround/params";
import {
  endToEndSeries,
  medianTurnaroundPerBeamtime,
  medianTurnaroundPerExperiment,
  timeSavedAgainstBaseline,
  trainerBreakdown,
} from "@/lib/cost-model/turnaround";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = flag("runs", 100_000);
const CALLS = flag("calls", 20);
const RESEED = args.includes("--reseed");
const TARGET_MS = 300;
const EXPERIMENTS = 20;
const DAY_SPAN = 365;

const TRAINERS = [
  // id suffix, name, executor, train seconds (median), stage-in, stage-out (0 = local)
  { n: 1, name: "local-v100", executor: "local", train: 1100, stageIn: 0, stageOut: 0 },
  { n: 2, name: "polaris-a100", executor: "slurm", train: 90, stageIn: 7, stageOut: 5 },
  { n: 3, name: "cerebras-cs2", executor: "slurm", train: 19, stageIn: 7, stageOut: 5 },
  { n: 4, name: "sambanova-rdu", executor: "slurm", train: 139, stageIn: 7, stageOut: 5 },
];

async function guard() {
  const [{ db }] = await prisma.$queryRawUnsafe<{ db: string }[]>("select current_database() as db");
  if (db === "beamline") throw new Error('Refusing to seed the database "beamline": point DATABASE_URL at a scratch database.');
  const [{ foreign }] = await prisma.$queryRawUnsafe<{ foreign: number }[]>(
    `select count(*)::int as foreign from "Run" where id not like 'bench\\_%'`,
  );
  if (foreign > 0) throw new Error(`Database ${db} holds ${foreign} runs the benchmark did not create: use an empty scratch database.`);
  return db;
}

async function exec(label: string, sql: string) {
  const t = performance.now();
  const n = await prisma.$executeRawUnsafe(sql);
  console.error(`  ${label}: ${n} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

async function seed() {
  const [{ existing }] = await prisma.$queryRawUnsafe<{ existing: number }[]>(`select count(*)::int as existing from "Run"`);
  if (existing === RUNS && !RESEED) {
    console.error(`seed: ${existing} bench runs already present (pass --reseed to recreate)`);
    return;
  }
  console.error(`seed: ${RUNS} runs`);
  const started = performance.now();
  await prisma.$executeRawUnsafe(
    `truncate "RunStep", "Transfer", "Measurement", "ModelVersion", "Run", "Dataset", "Agent", "ExperimentMember", "Experiment", "Trainer", "EdgeHost", "ModelFamily", "User" cascade`,
  );
  await exec(
    "users",
    `insert into "User"(id, email, name, role) values
    ('bench_admin', 'admin@bench', 'Bench Admin', 'admin'::"Role"),
    ('bench_pi', 'pi@bench', 'Bench PI', 'scientist'::"Role"),
    ('bench_sci', 'sci@bench', 'Bench Scientist', 'scientist'::"Role")`,
  );
  await exec(
    "families",
    `insert into "ModelFamily"(id, key, name, "inputSpec", "entryPoint", "defaultHyperParameters", metrics) values
    ('bench_fam_1', 'braggnn', 'BraggNN', '{}', 'braggnn', '{"epochs":100}', '{}'),
    ('bench_fam_2', 'cookienetae', 'CookieNetAE', '{}', 'cookienetae', '{"epochs":100}', '{}')`,
  );
  await exec(
    "edge hosts",
    `insert into "EdgeHost"(id, name, site) values ('bench_edge_1', 'edge-1id', 'APS'), ('bench_edge_2', 'edge-lcls', 'SLAC')`,
  );
  await exec(
    "trainers",
    `insert into "Trainer"(id, name, site, hardware, executor) values ${TRAINERS.map((t) => `('bench_tr_${t.n}', '${t.name}', 'ALCF', '${t.name}', '${t.executor}'::"ExecutorKind")`).join(", ")}`,
  );
  await exec(
    "agents",
    `insert into "Agent"(id, name, kind, "trainerId", "edgeHostId", "tokenHash", "tokenPrefix")
    select 'bench_ag_tr_'||n, 'agent-tr-'||n, 'trainer'::"AgentKind", 'bench_tr_'||n, null, 'hash_tr_'||n, 'p' from generate_series(1, ${TRAINERS.length}) n
    union all
    select 'bench_ag_edge_'||n, 'agent-edge-'||n, 'edge'::"AgentKind", null, 'bench_edge_'||n, 'hash_edge_'||n, 'p' from generate_series(1, 2) n`,
  );
  // 20 experiments, one beamtime window (5 days) each spread over the year; the scientist is a member of 5.
  await exec(
    "experiments",
    `insert into "Experiment"(id, name, beamline, technique, "piId", "beamtimeStart", "beamtimeEnd")
    select 'bench_exp_'||e, 'bench-exp-'||lpad(e::text, 2, '0'), case when e % 2 = 0 then '1-ID' else 'LCLS-TMO' end, 'HEDM',
           case when e <= 5 then 'bench_pi' else 'bench_admin' end,
           date_trunc('day', now()) - ((e * 18) || ' days')::interval, date_trunc('day', now()) - ((e * 18 - 5) || ' days')::interval
    from generate_series(1, ${EXPERIMENTS}) e`,
  );
  await exec(
    "members",
    `insert into "ExperimentMember"("experimentId", "userId") select 'bench_exp_'||e, 'bench_sci' from generate_series(1, 5) e`,
  );
  await exec(
    "datasets",
    `insert into "Dataset"(id, "experimentId", "edgeHostId", "familyKey", name, path, bytes, sha256, kind, "sampleCount", shapes, "registeredById")
    select 'bench_ds_'||e||'_'||f, 'bench_exp_'||e, 'bench_edge_'||(1 + e % 2), case when f = 1 then 'braggnn' else 'cookienetae' end,
           'ds-'||f, '/data/ds-'||e||'-'||f, case when f = 1 then 242 else 4096 end * (50000 + e * 1000)::bigint, 'sha', 'labelled'::"DatasetKind",
           50000 + e * 1000, '{}', 'bench_admin'
    from generate_series(1, ${EXPERIMENTS}) e, generate_series(1, 2) f`,
  );

  // Per-run values first, in an unlogged scratch table, so runs and steps agree.
  await prisma.$executeRawUnsafe(`drop table if exists bench_tmp`);
  await exec(
    "run plan",
    `create unlogged table bench_tmp as
    select g, e, f, t, created,
           case when g <= 100 then 'queued' when g <= 150 then 'running'
                when r < 0.82 then 'succeeded' when r < 0.92 then 'failed' when r < 0.97 then 'canceled' else 'lost' end as status,
           q, si, tr, so, dep, ov
    from (
      select g, 1 + (g % ${EXPERIMENTS}) as e, 1 + (g % 2) as f, 1 + ((g / 2) % ${TRAINERS.length}) as t,
             now() - (g::double precision / ${RUNS} * ${DAY_SPAN}) * interval '1 day' as created, random() as r,
             round((5 + random() * 60)::numeric, 2)::float8 as q,
             round((random() * 0.4 + 0.8)::numeric, 3)::float8 as si,
             round((random() * 0.5 + 0.75)::numeric, 3)::float8 as tr,
             round((random() * 0.4 + 0.8)::numeric, 3)::float8 as so,
             round((3 + random() * 4)::numeric, 2)::float8 as dep,
             round((1 + random() * 3)::numeric, 2)::float8 as ov
      from generate_series(1, ${RUNS}) g
    ) x`,
  );
  const col = (key: "train" | "stageIn" | "stageOut") => `(case t ${TRAINERS.map((tr) => `when ${tr.n} then ${tr[key]}`).join(" ")} end)`;
  await exec("plan seconds", `alter table bench_tmp add column s_in float8, add column s_train float8, add column s_out float8`);
  await exec(
    "plan fill",
    `update bench_tmp set s_in = ${col("stageIn")} * si, s_train = ${col("train")} * tr * (case when f = 2 then 0.5 else 1 end), s_out = ${col("stageOut")} * so`,
  );
  await exec(
    "runs",
    `insert into "Run"(id, "experimentId", "datasetId", "familyId", "trainerId", "edgeHostId", "createdById", params, "idempotencyKey",
                         status, predicted, "createdAt", "startedAt", "endedAt", "endToEndSeconds", "queueSeconds", "controlOverheadSeconds", "updatedAt")
    select 'bench_run_'||g, 'bench_exp_'||e, 'bench_ds_'||e||'_'||f, 'bench_fam_'||f, 'bench_tr_'||t, 'bench_edge_'||(1 + e % 2),
           case when e <= 5 then 'bench_sci' else 'bench_admin' end, '{"epochs":100,"maxSamples":null}', 'bench_idem_'||g,
           status::"RunStatus",
           case when status = 'succeeded' then jsonb_build_object(
             'trainerId', 'bench_tr_'||t, 'trainerName', 'trainer', 'totalSeconds', 30 + s_in + s_train + s_out + 5, 'plusMinusSeconds', 10 + s_train * 0.2,
             'steps', jsonb_build_object(
               'queue', jsonb_build_object('seconds', 30, 'plusMinusSeconds', 20, 'source', 'measured'),
               'stageIn', jsonb_build_object('seconds', s_in / si, 'plusMinusSeconds', 1, 'source', 'measured'),
               'train', jsonb_build_object('seconds', s_train / tr, 'plusMinusSeconds', s_train * 0.2, 'source', 'measured'),
               'stageOut', jsonb_build_object('seconds', s_out / so, 'plusMinusSeconds', 1, 'source', 'measured'),
               'deploy', jsonb_build_object('seconds', 5, 'plusMinusSeconds', 1, 'source', 'paper')),
             'basis', '[]'::jsonb) end,
           created, created + q * interval '1 second',
           case when status in ('queued', 'running') then null else created + (q + s_in + s_train + s_out + dep + ov) * interval '1 second' end,
           case when status = 'succeeded' then q + s_in + s_train + s_out + dep + ov end,
           case when status = 'queued' then null else q end,
           case when status = 'succeeded' then ov end,
           created
    from bench_tmp`,
  );
  await exec(
    "steps",
    `insert into "RunStep"(id, "runId", name, status, seconds)
    select 'bench_st_'||g||'_'||s.name, 'bench_run_'||g, s.name::"StepName",
           (case when status = 'succeeded' then 'succeeded'
                 when status in ('failed', 'lost') and s.name = 'train' then status
                 when status = 'canceled' and s.name = 'train' then 'canceled'
                 else 'succeeded' end)::"StepStatus",
           case s.name when 'queue' then q when 'stage_in' then s_in when 'train' then s_train when 'stage_out' then s_out else dep end
    from bench_tmp
    join (values ('queue', 1), ('stage_in', 2), ('train', 3), ('stage_out', 4), ('deploy', 5)) as s(name, ord)
      on case when status = 'queued' then false when status = 'running' then s.ord <= 2
              when status = 'succeeded' then true else s.ord <= 3 end`,
  );
  await exec(
    "transfers",
    `insert into "Transfer"(id, purpose, "sourceAgentId", "destAgentId", "sourcePath", bytes, sha256, "tokenHash", "tokenExpiresAt", status, seconds, "createdAt")
    select 'bench_xfer_'||g, case when g % 2 = 0 then 'stage_in' else 'stage_out' end,
           case when g % 2 = 0 then 'bench_ag_edge_'||(1 + g % 2) else 'bench_ag_tr_'||(1 + g % ${TRAINERS.length}) end,
           case when g % 2 = 0 then 'bench_ag_tr_'||(1 + g % ${TRAINERS.length}) else 'bench_ag_edge_'||(1 + (g / 2) % 2) end,
           '/x', b, 'sha', 'tok_'||g, now(), 'succeeded'::"TransferStatus", b / 8e8 + 0.5 + random() * 0.2, now() - g * interval '1 hour'
    from (select g, (1e6 + random() * 2e9)::bigint as b from generate_series(1, 4000) g) x`,
  );
  await exec(
    "measurements",
    `insert into "Measurement"(id, kind, "familyId", host, "secondsPerDatum", samples)
    select 'bench_m_'||g, case when g % 3 = 0 then 'labelling' else 'inference' end::"MeasurementKind", 'bench_fam_'||(1 + g % 2),
           case when g % 3 = 0 then 'labeller' else case when g % 2 = 0 then 'edge-1id' else 'edge-lcls' end end,
           case when g % 3 = 0 then 2.4e-6 else 3.5e-7 end * (0.8 + random() * 0.4), 4096
    from generate_series(1, 1200) g`,
  );
  await exec(
    "model versions",
    `insert into "ModelVersion"(id, "familyId", version, metrics, "artifactFormat", "artifactBytes", "artifactSha256", aliases)
    select 'bench_mv_'||g, 'bench_fam_'||(1 + g % 2), g, '{}', 'pt', case when g % 2 = 0 then 140000 else 850000 end, 'sha', '{}'
    from generate_series(1, 60) g`,
  );
  await prisma.$executeRawUnsafe(`drop table bench_tmp`);
  await prisma.$executeRawUnsafe(`analyze`);
  console.error(`seed: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

interface Result {
  name: string;
  calls: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  detail: string;
}

function quantile(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function time(name: string, fn: () => Promise<string>): Promise<Result> {
  let detail = "";
  for (let i = 0; i < 2; i++) detail = await fn(); // warm-up: connection, plan cache
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    detail = await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    name,
    calls: CALLS,
    medianMs: round(quantile(samples, 0.5)),
    p95Ms: round(quantile(samples, 0.95)),
    maxMs: round(samples[samples.length - 1]),
    detail,
  };
}

async function main() {
  const db = await guard();
  await seed();
  const admin: Actor = { id: "bench_admin", role: "admin" };
  const scientist: Actor = { id: "bench_sci", role: "scientist" };
  const results: Result[] = [];

  results.push(
    await time(
      "runs list, page 1 (staff)",
      async () => `${(await listRuns({ actor: admin, filters: runFilters.parse({}) })).runs.length} rows`,
    ),
  );
  results.push(
    await time(
      "runs list, page 1 (scientist, 5 of 20 experiments)",
      async () => `${(await listRuns({ actor: scientist, filters: runFilters.parse({}) })).runs.length} rows`,
    ),
  );
  results.push(
    await time(
      "runs list, filtered: succeeded on one trainer, page 3 (scientist)",
      async () =>
        `${(await listRuns({ actor: scientist, filters: runFilters.parse({ status: "succeeded", trainer: "bench_tr_3", page: "3" }) })).runs.length} rows`,
    ),
  );
  results.push(
    await time(
      "runs list, filtered: failed in one experiment (staff)",
      async () =>
        `${(await listRuns({ actor: admin, filters: runFilters.parse({ status: "failed", experiment: "bench_exp_7" }) })).runs.length} rows`,
    ),
  );
  // The turnaround page: data plus every aggregation the page renders.
  const turnaround = (actor: Actor, search: Record<string, string>) => async () => {
    const data = await getTurnaroundData({ actor, params: parseTurnaroundParams(search) });
    const breakdown = trainerBreakdown(data.runs);
    endToEndSeries(data.runs);
    medianTurnaroundPerExperiment(data.runs);
    medianTurnaroundPerBeamtime(data.runs);
    timeSavedAgainstBaseline(data.runs, breakdown.at(-1)?.trainerId ?? "");
    return `${data.runs.length} runs${data.truncated ? " (capped)" : ""}, ${breakdown.length} trainers`;
  };
  results.push(await time("turnaround, 90 days (staff)", turnaround(admin, {})));
  results.push(await time("turnaround, 90 days (scientist)", turnaround(scientist, {})));
  results.push(await time("turnaround, all time, one trainer (staff)", turnaround(admin, { days: "0", trainer: "bench_tr_2" })));
  results.push(
    await time("prediction error, last 100 (scientist)", async () => {
      const d = await getPredictionErrors({ actor: scientist, params: parsePredictionParams({}) });
      return `${d.runs.length} runs, MAPE ${d.overall.total.meanAbsolutePercentageError?.toFixed(1)} %`;
    }),
  );
  results.push(
    await time("prediction error, last 500, one trainer (staff)", async () => {
      const d = await getPredictionErrors({ actor: admin, params: parsePredictionParams({ last: "500", trainer: "bench_tr_4" }) });
      return `${d.runs.length} runs`;
    }),
  );
  results.push(
    await time("cost model parameters (scientist)", async () => {
      const d = await getMeasuredParameters({ actor: scientist, params: parseCostModelParams({ trainer: "bench_tr_3" }) });
      return `C(T) ${d.parameters?.trainingMicroseconds.points} runs, transfers ${d.parameters?.transferInMicrosecondsPerDatum.points}`;
    }),
  );
  results.push(
    await time("cost model parameters (staff)", async () => {
      const d = await getMeasuredParameters({
        actor: admin,
        params: parseCostModelParams({ trainer: "bench_tr_1", family: "cookienetae" }),
      });
      return `C(T) ${d.parameters?.trainingMicroseconds.points} runs`;
    }),
  );

  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`database ${db}, ${RUNS} runs, ${CALLS} calls each (after 2 warm-up calls), target < ${TARGET_MS} ms`);
  console.log(`${"function".padEnd(width)}  median ms  p95 ms  max ms  ok  detail`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(width)}  ${String(r.medianMs).padStart(9)}  ${String(r.p95Ms).padStart(6)}  ${String(r.maxMs).padStart(6)}  ${r.p95Ms < TARGET_MS ? "✓ " : "✗ "}  ${r.detail}`,
    );
  }
  console.log(JSON.stringify({ database: db, runs: RUNS, calls: CALLS, targetMs: TARGET_MS, results }));
  await prisma.$disconnect();
  if (results.some((r) => r.p95Ms >= TARGET_MS)) process.exitCode = 1;
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await prisma.$disconnect();
  process.exit(2);
});
