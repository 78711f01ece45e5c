// Beamline Retrain agent: runs on a trainer (data-center login node) or an edge host. It connects out
// to the dashboard, long-polls for tasks, renews their leases with heartbeats, runs them, and serves
// files to other agents over its data plane.
//   npm run agent                 run with the environment's configuration (see agent/config.ts)
//   npm run agent -- inspect F    print bytes, sha256, family, kind, samples and shape of a dataset file
import "dotenv/config";
import fs from "node:fs";
import path from "node:path";
import { loadConfig, type AgentConfig } from "@/agent/config";
import { createDashboardClient, DashboardError, type DashboardClient } from "@/agent/dashboard-client";
import { createDataPlaneServer } from "@/agent/dataplane/server";
import { createTaskContext, TaskFailure } from "@/agent/task-context";
import { runTask } from "@/agent/tasks/handlers";
import { cancelAbandonedStandbys, executor, localExecutor, prepareForTraining } from "@/agent/zoo";
import { inspectDataset } from "@/agent/inspect";
import { servablePath } from "@/agent/serve-roots";
import { openSeal } from "@/lib/agent-protocol/grant-seal";
import { saveActiveTasks, takeActiveTasks } from "@/agent/active-tasks";
import { createCalibrator, readZooVersion } from "@/agent/calibrate";
import { createIntake } from "@/agent/intake/intake";
import { createSpotChecker } from "@/agent/drift/spot-checker";
import { createProber } from "@/agent/probe";
import { oneAtATime } from "@/agent/one-at-a-time";
import { createSchedulerEstimator } from "@/agent/scheduler-estimate";
import { signalGroup } from "@/agent/executors/procfs";
import type { ParallelShape } from "@/lib/agent-protocol/parallel";
import { agentWork, authorizeTransferResponse, heartbeatResponse, type AgentWork, type ClaimedTask } from "@/lib/agent-protocol/schemas";

export const AGENT_VERSION = "0.1.0";
const MAX_CONCURRENT_TASKS = Number(process.env.AGENT_MAX_TASKS ?? 4);

interface ActiveTask {
  task: ClaimedTask;
  abort: AbortController;
}

async function runAgent(config: AgentConfig) {
  fs.mkdirSync(config.workdir, { recursive: true });
  const client = createDashboardClient(config.dashboardUrl, config.token, AGENT_VERSION);
  const active = new Map<string, ActiveTask>();
  await cancelOrphans(config);

  const dataPlane = await createDataPlaneServer({
    host: config.dataHost,
    port: config.dataPort,
    authorize: async (token: string) => {
      try {
        const grant = await client.request("POST", "/api/agent/v1/transfers/authorize", {
          body: { token },
          schema: authorizeTransferResponse,
          retries: 2,
        });
        const realPath = grant && (await servablePath(grant.path, config.serveRoots));
        // the server opens the real path that was checked, not the one the dashboard named
        return grant && realPath ? { ...grant, path: realPath } : null;
      } catch (error) {
        if (error instanceof DashboardError && error.status === 403) return null;
        throw error;
      }
    },
    onServed: ({ transferId, complete, bytesSent, seconds, sealed }) => {
      if (complete && bytesSent > 0) {
        console.log(
          `[agent] served transfer ${transferId}: ${bytesSent} bytes in ${seconds.toFixed(3)} s${sealed ? " (sealed grant)" : ""}`,
        );
      }
    },
    openSeal: async (seal: string, token: string, transferId: string) => {
      const grant = config.sealKey && openSeal(config.sealKey, seal, token, transferId);
      const realPath = grant && (await servablePath(grant.path, config.serveRoots));
      return grant && realPath ? { transferId, path: realPath, bytes: grant.bytes, sha256: grant.sha256 } : null;
    },
  });
  const dataPlaneUrl = config.publicDataUrl ?? dataPlane.url;
  console.log(`[agent] data plane on ${dataPlaneUrl}; dashboard ${config.dashboardUrl}`);

  let stopping = false;
  // Calibration runs in the background when the dashboard says one is due (first connection, a new agent
  // or zoo version, staff pressed Recalibrate); tasks keep being claimed and run meanwhile.
  const calibrator = createCalibrator(config, client, AGENT_VERSION, (kind) => executor(kind, config));
  // Edge intake watches the data roots the dashboard names, beside the task loop.
  const intake = createIntake(config, client);
  const spotChecker = createSpotChecker(config, client, () => localExecutor(config));
  // Data-plane probes (T = x/v + S before the first run) likewise, and only while nothing else runs.
  const prober = createProber(config, client);
  const estimator = createSchedulerEstimator(config);
  // Not before the first answer: it may ask for a calibration, which goes first.
  let answered = false;
  // One at a time: an answer to an older beat must not undo a newer one's (agent/one-at-a-time.ts).
  const beat = oneAtATime(async () => {
    try {
      const idle = answered && active.size === 0 && !calibrator.busy && !spotChecker.busy;
      const answer = await client.request("POST", "/api/agent/v1/heartbeat", {
        body: {
          version: AGENT_VERSION,
          zooVersion: readZooVersion(config.zooDir),
          dataPlaneUrl,
          activeTaskIds: [...active.keys()],
          probeReady: config.probe && idle,
          schedulerStartSeconds: estimator.take(),
        },
        schema: heartbeatResponse,
        retries: 1,
        timeoutMs: 10_000,
      });
      answered = true;
      for (const id of [...(answer?.cancelTaskIds ?? []), ...(answer?.unknownTaskIds ?? [])]) active.get(id)?.abort.abort();
      // A probe the answer names goes first: begun now, a calibration or spot check would make this side drop it,
      // and the route would wait PROBE_RETRY_SECONDS (staff's Recalibrate makes both due at once). They wait
      // for the probe's seconds instead: the dashboard keeps asking for them.
      const probing = prober.busy || (config.probe && Boolean(answer?.probe));
      // Only while idle: a calibration beside a running task would measure the contention, not the host.
      if (answer?.calibrate && config.calibrate && active.size === 0 && !probing) void calibrator.request(answer.calibrate);
      if (answer) intake.watch(answer.dataRoots);
      estimator.offer(answer?.schedulerEstimate, active.size === 0);
      // Drift spot checks likewise start only while idle (a deploy's inference benchmark must not share the CPU).
      if (answer?.spotChecks.length && config.spotChecks && active.size === 0 && !calibrator.busy && !probing)
        void spotChecker.offer(answer.spotChecks);
      // A probe would measure the calibration's or spot check's load, not the link: dropped, tried again later.
      if (answer?.probe && (calibrator.busy || spotChecker.busy))
        prober.interrupt("the host is calibrating or spot-checking", answer.probe.probeId);
      // A probe named while a task runs was already dropped for it (interrupt below): its files go.
      else if (answer && config.probe) prober.offer(active.size === 0 ? (answer.probe ?? null) : null);
      return answer?.leaseSeconds ?? 20;
    } catch (error) {
      if (error instanceof DashboardError && error.status === 401) {
        console.error(`[agent] ${error.message}: stopping`);
        process.exit(3);
      }
      console.error(`[agent] heartbeat failed: ${(error as Error).message}`);
      return 20;
    }
  });
  // Start importing torch now, so the first local job finds a warm zoo process.
  localExecutor(config).prepareWarmStart();
  const leaseSeconds = await beat();
  const heartbeatTimer = setInterval(() => void beat(), Math.max(1000, (leaseSeconds * 1000) / 4));

  const shutdown = async () => {
    stopping = true;
    clearInterval(heartbeatTimer);
    intake.stop();
    for (const { abort } of active.values()) abort.abort();
    localExecutor(config).close();
    await dataPlane.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown());
  process.on("SIGINT", () => void shutdown());

  while (!stopping) {
    if (active.size >= MAX_CONCURRENT_TASKS) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    let work: AgentWork | null;
    try {
      work = await client.request("GET", "/api/agent/v1/tasks/next?wait=25", { schema: agentWork, timeoutMs: 40_000 });
    } catch (error) {
      if (error instanceof DashboardError && error.status === 401) {
        console.error(`[agent] ${error.message}: stopping`);
        process.exit(3);
      }
      console.error(`[agent] could not fetch work: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      continue;
    }
    if (work && "type" in work) {
      standBy(config, work.parallel);
      continue;
    }
    const task = work;
    // A task already running was handed out again because its acknowledgement had not arrived yet.
    if (!task || active.has(task.id)) continue;
    // A run never waits behind a probe: drop it before the task starts.
    prober.interrupt(`task ${task.kind} of run ${task.runId} arrived`);
    void execute(task, config, client, active);
    // Acknowledge before polling again: the dashboard re-delivers a claim still unacknowledged at the next poll.
    await beat();
  }
}

/** A scientist has the Retrain dialog open on this (Slurm) trainer: a job stands by for the launch (agent/zoo.ts). */
function standBy(config: AgentConfig, parallel: ParallelShape) {
  void prepareForTraining(config, parallel).then(
    (done) => done === "submitted" && console.log("[agent] the Retrain dialog is open: a standby Slurm job is submitted"),
    (error: Error) => console.error(`[agent] could not stand a Slurm job by: ${error.message}`),
  );
}

async function execute(task: ClaimedTask, config: AgentConfig, client: DashboardClient, active: Map<string, ActiveTask>) {
  const abort = new AbortController();
  active.set(task.id, { task, abort });
  saveActive(config, active);
  const context = createTaskContext(task, config, client, abort.signal);
  console.log(`[agent] ${task.kind} for run ${task.runId} (task ${task.id})`);
  let completion: Record<string, unknown>;
  try {
    const result = await runTask(context);
    completion = { status: "succeeded", result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    completion = abort.signal.aborted
      ? { status: "canceled", error: message }
      : { status: "failed", error: message, retryable: error instanceof TaskFailure && error.retryable };
    console.error(`[agent] ${task.kind} for run ${task.runId}: ${message}`);
  }
  // The last reports travel with the completion (the dashboard records them first).
  const events = await context.takeFinal();
  try {
    try {
      await client.request("POST", `/api/agent/v1/tasks/${task.id}/complete`, { body: { ...completion, events } });
    } catch (error) {
      // The dashboard refused the result itself (400): say so as a failure, so that the run fails with
      // the reason instead of being declared lost when the lease runs out.
      if (!(error instanceof DashboardError && error.status === 400)) throw error;
      console.error(`[agent] the dashboard refused the result of task ${task.id}: ${error.message}`);
      await client.request("POST", `/api/agent/v1/tasks/${task.id}/complete`, {
        body: { status: "failed", error: `The dashboard refused this task's result: ${error.message}`.slice(0, 4000), retryable: false },
      });
    }
  } catch (error) {
    console.error(`[agent] could not report the end of task ${task.id}: ${(error as Error).message}`);
  } finally {
    active.delete(task.id);
    saveActive(config, active);
  }
}

function saveActive(config: AgentConfig, active: Map<string, ActiveTask>) {
  saveActiveTasks(
    config.workdir,
    [...active.values()].map(({ task }) => ({ id: task.id, runId: task.runId, kind: task.kind, attempt: task.attempt })),
  );
}

// Jobs of the tasks this agent held when it last died: the dashboard declared them lost, so stop them
// rather than let them train on unseen (and, for a retried run, twice). Standby Slurm jobs it never handed a
// job likewise: they would hold their allocation, and a retried run's training would queue behind them.
async function cancelOrphans(config: AgentConfig) {
  for (const owner of await cancelAbandonedStandbys(config)) console.log(`[agent] cancelled the abandoned standby job of ${owner}`);
  for (const orphan of takeActiveTasks(config.workdir)) {
    const dir = path.join(config.workdir, "runs", orphan.runId, `${orphan.kind}-${orphan.attempt}`);
    const idFile = path.join(dir, "executor-job-id");
    if (!fs.existsSync(idFile)) continue;
    const jobId = fs.readFileSync(idFile, "utf8").trim();
    try {
      if (jobId.startsWith("local:")) {
        // A local job is a process group of its own: stop the whole group.
        signalGroup(Number(jobId.slice("local:".length)), "SIGKILL");
      } else {
        const slurm = executor("slurm", config);
        await (await slurm.attach!(jobId, dir)).cancel();
      }
      console.log(`[agent] stopped orphaned job ${jobId} of run ${orphan.runId}`);
    } catch {
      /* already gone */
    }
  }
}

const [command, argument] = process.argv.slice(2);
if (command === "inspect") {
  if (!argument) {
    console.error("usage: npm run agent -- inspect /path/to/dataset.h5");
    process.exit(2);
  }
  inspectDataset(argument)
    .then((info) => console.log(JSON.stringify(info, null, 2)))
    .catch((error: Error) => {
      console.error(error.message);
      process.exit(2);
    });
} else {
  runAgent(loadConfig()).catch((error: Error) => {
    console.error(`[agent] ${error.message}`);
    process.exit(1);
  });
}
