// Load benchmark on the real stack (dashboard, worker, agents, PostgreSQL, PyTorch): 5 trainer agents
// serve 50 concurrent tiny BraggNN retrains while 100 live viewers watch them (server-sent events with a
// signed-in cookie, read by streaming fetch, not browsers) and a reader keeps loading the run page and
// the runs list. Prints, as JSON and a table:
//   outcome        every run succeeded; none lost or duplicated (one ModelVersion, one train attempt each)
//   page time      GET /runs/<id> and GET /runs, whole body, p50/p95
//   live update    agent report → SSE message in the client: event (eventAtMs) and epoch (RunMetric.recordedAt)
//   wall time      launch of the 50 runs → the last run ended
// Loopback only; bounded (BENCH_DEADLINE_S, default 900 s); stops everything it started.
//   node --import tsx scripts/bench/load.ts   (env: TEST_SEED_DIR, TEST_PG_URL, SLURM_CONF as for the tests)
import { randomUUID } from "node:crypto";
import path from "node:path";
import { Stack } from "@/testing/stack";
import { HttpSession } from "@/testing/http";
import { openEventStream, type SseStream } from "@/testing/sse";
import { newSecret } from "@/lib/flow/tokens";
import { quantile } from "@/lib/cost-model/stats";

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 100);
const EXTRA_TRAINERS = Number(process.env.BENCH_EXTRA_TRAINERS ?? 4);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_S ?? 900) * 1000;
const PAGE_EVERY_MS = 500;
const TERMINAL = new Set(["succeeded", "failed", "lost", "canceled"]);

const q = (values: number[], p: number) => quantile(values, p) ?? NaN;
const round = (x: number) => Math.round(x * 10) / 10;
const stats = (values: number[]) => ({
  n: values.length,
  p50: round(q(values, 0.5)),
  p95: round(q(values, 0.95)),
  max: round(Math.max(...values)),
});

type View = { id: string; status: string; metrics: { epoch: number }[]; eventAtMs?: number };

async function addTrainers(stack: Stack, count: number) {
  const added: { trainer: string; agent: string; token: string }[] = [];
  for (let i = 1; i <= count; i++) {
    const trainer = await stack.prisma.trainer.create({
      data: { name: `bench-cpu-${i}`, site: "bench", hardware: "CPU (shared loopback host)", executor: "local", concurrency: 1 },
    });
    // As staff's "issue token" does (lib/server/infrastructure/manage-infrastructure.ts): only the hash is stored.
    const secret = newSecret("brt");
    const agent = await stack.prisma.agent.create({
      data: { name: `bench-cpu-${i}-agent`, kind: "trainer", trainerId: trainer.id, tokenHash: secret.hash, tokenPrefix: secret.display },
    });
    added.push({ trainer: trainer.name, agent: agent.name, token: secret.token });
  }
  return added;
}

async function launchAll(stack: Stack, trainerNames: string[]) {
  process.env.DATABASE_URL = stack.databaseUrl;
  const { launchRun } = await import("@/lib/flow/launch-run");
  const scientist = await stack.prisma.user.findUniqueOrThrow({ where: { email: "scientist@demo.test" } });
  const dataset = await stack.prisma.dataset.findFirstOrThrow({ where: { name: { startsWith: "scan-0042" } } });
  const trainers = await stack.prisma.trainer.findMany({ where: { name: { in: trainerNames } } });
  return Promise.all(
    Array.from({ length: RUNS }, async (_, i) => {
      const { run } = await launchRun({
        actorId: scientist.id,
        input: {
          experimentId: dataset.experimentId,
          datasetId: dataset.id,
          trainerId: trainers[i % trainers.length].id,
          parentVersionId: null,
          epochs: 1,
          batchSize: 256,
          learningRate: 0.001,
          seed: i,
          maxSamples: 256,
          reason: `load bench ${i}`,
          idempotencyKey: randomUUID(),
        },
      });
      return run;
    }),
  );
}

/** GETs a page and reads the whole body; the time to the last byte, in ms. */
async function timePage(session: HttpSession, pathname: string): Promise<number> {
  const t0 = performance.now();
  const response = await session.fetch(pathname);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`GET ${pathname}: ${response.status}`);
  return performance.now() - t0;
}

async function main() {
  const started = Date.now();
  const deadline = started + DEADLINE_MS;
  const stack = await Stack.create({
    name: "bench_load",
    // Long leases: on this 2-core host 50 runs of PyTorch starve the agents' heartbeats now and then,
    // and a lost run here would measure the host, not the product.
    env: { AGENT_LEASE_SECONDS: "30", AGENT_OFFLINE_SECONDS: "120", SWEEP_INTERVAL_MS: "1000" },
  });
  const streams: SseStream<View>[] = [];
  let stopPages = false;
  try {
    await stack.startAll();
    const extra = await addTrainers(stack, EXTRA_TRAINERS);
    for (const a of extra) stack.startAgentWithToken(a.agent, a.token, path.join(stack.dataDir, a.agent));
    await stack.waitForAgents(["local-trainer-agent", ...extra.map((a) => a.agent)]);
    const trainerNames = ["local-cpu", ...extra.map((a) => a.trainer)];

    const session = new HttpSession(stack.url);
    if (!(await session.signIn("scientist@demo.test"))) throw new Error("could not sign in");
    await timePage(session, "/runs"); // warm the route once (first compile of the page's data path)

    const launchedAt = Date.now();
    const runs = await launchAll(stack, trainerNames);
    const launchSeconds = (Date.now() - launchedAt) / 1000;

    // 100 live viewers spread over the runs; every message is kept with its receive time.
    const eventLatency: number[] = [];
    const epochSeen = new Map<string, number>(); // `${runId}:${epoch}` → first time any viewer saw it
    const opened = await Promise.all(
      Array.from({ length: VIEWERS }, (_, i) =>
        openEventStream<View>(session, `/api/runs/${runs[i % runs.length].id}/events`, (m) => {
          if (m.data.eventAtMs) eventLatency.push(m.receivedAt - m.data.eventAtMs);
          for (const e of m.data.metrics ?? []) {
            const key = `${m.data.id}:${e.epoch}`;
            if (!epochSeen.has(key)) epochSeen.set(key, m.receivedAt);
          }
        }),
      ),
    );
    streams.push(...opened);
    const connectedAt = Date.now();
    const badStreams = opened.filter((s) => s.status !== 200).length;

    // A reader that keeps loading the run page and the runs list, as people with the dashboard open do.
    const runPageMs: number[] = [];
    const listPageMs: number[] = [];
    const pageErrors: string[] = [];
    const pages = (async () => {
      for (let i = 0; !stopPages && Date.now() < deadline; i++) {
        try {
          runPageMs.push(await timePage(session, `/runs/${runs[i % runs.length].id}`));
          listPageMs.push(await timePage(session, "/runs"));
        } catch (error) {
          pageErrors.push((error as Error).message);
        }
        await new Promise((r) => setTimeout(r, PAGE_EVERY_MS));
      }
    })();

    const ids = runs.map((r) => r.id);
    let ended: { id: string; status: string; endedAt: Date | null }[] = [];
    while (Date.now() < deadline) {
      ended = await stack.prisma.run.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, endedAt: true } });
      if (ended.every((r) => TERMINAL.has(r.status))) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const allEndedAt = Math.max(...ended.map((r) => r.endedAt?.getTime() ?? Date.now()));
    stopPages = true;
    await pages;
    await new Promise((r) => setTimeout(r, 500)); // the last SSE messages
    for (const s of streams) s.close();

    const byStatus: Record<string, number> = {};
    for (const r of ended) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const versions = await stack.prisma.modelVersion.groupBy({ by: ["runId"], where: { runId: { in: ids } }, _count: true });
    const trains = await stack.prisma.runStep.groupBy({ by: ["runId"], where: { runId: { in: ids }, name: "train" }, _count: true });
    const oneEach = (rows: { runId: string | null; _count: number }[]) => ids.every((id) => rows.find((r) => r.runId === id)?._count === 1);
    const perTrainer = await stack.prisma.run.groupBy({ by: ["trainerId"], where: { id: { in: ids } }, _count: true });

    const metrics = await stack.prisma.runMetric.findMany({ where: { runId: { in: ids } } });
    // Only epochs stored after the viewers connected are live updates (earlier ones come in the first snapshot).
    const metricLatency = metrics
      .filter((m) => m.recordedAt.getTime() > connectedAt && epochSeen.has(`${m.runId}:${m.epoch}`))
      .map((m) => epochSeen.get(`${m.runId}:${m.epoch}`)! - m.recordedAt.getTime());
    const runSeconds = (await stack.prisma.run.findMany({ where: { id: { in: ids } }, select: { endToEndSeconds: true } }))
      .map((r) => r.endToEndSeconds ?? NaN)
      .filter(Number.isFinite);

    const result = {
      type: "bench-load",
      runs: RUNS,
      trainers: trainerNames.length,
      runsPerTrainer: perTrainer.map((t) => t._count),
      viewers: VIEWERS,
      viewerConnectFailures: badStreams,
      outcome: {
        byStatus,
        allSucceeded: byStatus.succeeded === RUNS,
        oneModelVersionPerRun: oneEach(versions),
        oneTrainAttemptPerRun: oneEach(trains),
      },
      launchSeconds: round(launchSeconds),
      wallSeconds: round((allEndedAt - launchedAt) / 1000),
      runEndToEndSeconds: stats(runSeconds),
      pageMs: { runPage: stats(runPageMs), runsList: stats(listPageMs), errors: pageErrors.length, firstError: pageErrors[0] ?? null },
      liveUpdateMs: {
        event: { ...stats(eventLatency), what: "SSE payload eventAtMs (publisher's clock) → client received" },
        epoch: { ...stats(metricLatency), what: "RunMetric.recordedAt → client received" },
        target: "< 1000 ms p95 (DESIGN §8)",
      },
      benchSeconds: round((Date.now() - started) / 1000),
      timedOut: Date.now() >= deadline,
    };
    console.table({
      "run page (GET /runs/<id>)": { n: result.pageMs.runPage.n, "p50 ms": result.pageMs.runPage.p50, "p95 ms": result.pageMs.runPage.p95 },
      "runs list (GET /runs)": { n: result.pageMs.runsList.n, "p50 ms": result.pageMs.runsList.p50, "p95 ms": result.pageMs.runsList.p95 },
      "live event → client": {
        n: result.liveUpdateMs.event.n,
        "p50 ms": result.liveUpdateMs.event.p50,
        "p95 ms": result.liveUpdateMs.event.p95,
      },
      "epoch stored → client": {
        n: result.liveUpdateMs.epoch.n,
        "p50 ms": result.liveUpdateMs.epoch.p50,
        "p95 ms": result.liveUpdateMs.epoch.p95,
      },
    });
    console.table({
      runs: { value: RUNS },
      succeeded: { value: byStatus.succeeded ?? 0 },
      "not succeeded": { value: RUNS - (byStatus.succeeded ?? 0) },
      "one model version per run": { value: result.outcome.oneModelVersionPerRun },
      "one train attempt per run": { value: result.outcome.oneTrainAttemptPerRun },
      "wall time s (launch → last run ended)": { value: result.wallSeconds },
    });
    console.log(JSON.stringify(result));
    if (!result.outcome.allSucceeded || !result.outcome.oneModelVersionPerRun || !result.outcome.oneTrainAttemptPerRun) {
      for (const name of ["worker", "agent-edge", "agent-trainer"]) console.error(`--- ${name} ---\n${stack.output(name).slice(-3000)}`);
      process.exitCode = 1;
    }
  } finally {
    stopPages = true;
    for (const s of streams) s.close();
    await stack.stop();
  }
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => setTimeout(() => process.exit(), 2000).unref());
