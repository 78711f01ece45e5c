// Calibration of this host for the turnaround prediction: per model family, the zoo's `calibrate` command
// run through the host's own executor (a local process, or a Slurm job on a Slurm trainer) measures
// submit → model built (job start, Python start, torch import, model build) and training and validation
// samples/s at the family's default batch. A few seconds per family; it runs beside tasks, never before
// them, so a scientist's run never waits behind it (it starts only while the agent is idle; a task that
// arrives meanwhile runs at once).
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { AgentConfig } from "@/agent/config";
import type { DashboardClient } from "@/agent/dashboard-client";
import { parseZooLine } from "@/agent/zoo";
import type { Executor } from "@/agent/executors";
import type { CalibrationRequest, calibrationResult } from "@/lib/agent-protocol/schemas";

type CalibrationResult = z.infer<typeof calibrationResult>;

/** Seconds of timed training + validation per family (the zoo adds start-up and one warm-up step). */
export const CALIBRATION_SECONDS = 3;
/** After a failed calibration, the same request is not retried for this long (the heartbeat repeats it). */
const RETRY_AFTER_MS = 10 * 60_000;

const calibrationLine = z.object({
  family: z.enum(["braggnn", "cookienetae"]),
  startup_seconds: z.number().nonnegative().nullable(),
  first_step_extra_seconds: z.number().nonnegative(),
  train_samples_per_s: z.number().positive(),
  train_step_seconds: z.number().nonnegative().nullable(),
  val_samples_per_s: z.number().positive(),
  measured_batch_size: z.number().int().positive(),
  threads: z.number().int().positive(),
  torch: z.string(),
  zoo_version: z.string(),
});

/** The zoo's version from its package file, without starting Python; null when unreadable. */
export function readZooVersion(zooDir: string): string | null {
  try {
    const text = fs.readFileSync(path.join(zooDir, "beamline_zoo", "__init__.py"), "utf8");
    return text.match(/^__version__\s*=\s*["']([^"']{1,40})["']/m)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Runs the zoo's calibrate command for one family through `executor` and reads its result line. */
export async function calibrateFamily(
  config: AgentConfig,
  executor: Executor,
  family: CalibrationResult["family"],
  seconds = CALIBRATION_SECONDS,
): Promise<{ result: CalibrationResult; zooVersion: string }> {
  const submittedAt = Date.now();
  const workdir = path.join(config.workdir, "calibration", `${family}-${submittedAt}`);
  const handle = await executor.start({
    runId: `calibrate-${family}-${submittedAt}`,
    // --started-at: the submit time, so the start-up includes a Slurm job's wait to start.
    argv: [
      config.python,
      "-m",
      "beamline_zoo",
      "calibrate",
      "--family",
      family,
      "--device",
      "cpu",
      "--seconds",
      String(seconds),
      "--started-at",
      String(submittedAt / 1000),
    ],
    workdir,
    env: { PYTHONPATH: config.zooDir },
    cpus: config.cpus,
    timeLimitMinutes: 5,
  });
  const running = handle.running();
  let line: z.infer<typeof calibrationLine> | null = null;
  for await (const raw of handle.lines()) {
    const parsed = parseZooLine(raw);
    if (parsed?.type === "calibration") line = calibrationLine.parse(parsed);
  }
  const outcome = await handle.wait();
  if (outcome.state !== "completed" || !line) throw new Error(`calibrate ${family}: ${outcome.state} (${outcome.detail})`);
  const started = await running;
  fs.rmSync(workdir, { recursive: true, force: true });
  return {
    zooVersion: line.zoo_version,
    result: {
      family,
      // A run pays its first step's one-time set-up once, like its start-up.
      startupSeconds: (line.startup_seconds ?? (Date.now() - submittedAt) / 1000) + line.first_step_extra_seconds,
      // Slurm's StartTime has whole seconds: it can read before our own submit time.
      jobStartSeconds: executor.kind === "slurm" && started ? Math.max(0, (started.startedAt.getTime() - submittedAt) / 1000) : null,
      trainSamplesPerSecond: line.train_samples_per_s,
      trainStepSeconds: line.train_step_seconds,
      valSamplesPerSecond: line.val_samples_per_s,
      // The batch the throughput was measured at (the budget may keep it below the family's default).
      batchSize: line.measured_batch_size,
      threads: line.threads,
      torch: line.torch.slice(0, 40),
    },
  };
}

/**
 * Runs the calibrations the dashboard asks for, one at a time in the background, and posts them. A request
 * that arrives while one runs is ignored (the next heartbeat repeats it if still due); a failed one is not
 * retried for RETRY_AFTER_MS.
 */
export function createCalibrator(
  config: AgentConfig,
  client: DashboardClient,
  agentVersion: string,
  executorOf: (kind: CalibrationRequest["executor"]) => Executor,
) {
  let busy = false;
  const failedAt = new Map<string, number>();
  return {
    get busy() {
      return busy;
    },
    request(request: CalibrationRequest): Promise<void> | null {
      const key = `${request.executor}/${request.families.join(",")}/${request.reason}`;
      if (busy || Date.now() - (failedAt.get(key) ?? 0) < RETRY_AFTER_MS) return null;
      busy = true;
      return (async () => {
        try {
          console.log(`[agent] calibrating ${request.families.join(", ")} through ${request.executor} (${request.reason})`);
          const results: CalibrationResult[] = [];
          let zooVersion = readZooVersion(config.zooDir) ?? "unknown";
          for (const family of request.families) {
            const executor = executorOf(request.executor);
            // Measure the start-up a run meets on an idle host: a warm process still importing torch (the agent
            // just started, or the previous family took it) would add its import to this family's start-up only.
            await executor.whenWarm?.();
            const measured = await calibrateFamily(config, executor, family);
            results.push(measured.result);
            zooVersion = measured.zooVersion;
          }
          await client.request("POST", "/api/agent/v1/calibrations", { body: { agentVersion, zooVersion, results } });
          console.log(
            `[agent] calibrated: ${results.map((r) => `${r.family} start-up ${r.startupSeconds.toFixed(2)} s, ${Math.round(r.trainSamplesPerSecond)} samples/s`).join("; ")}`,
          );
        } catch (error) {
          failedAt.set(key, Date.now());
          console.error(`[agent] calibration failed: ${(error as Error).message}`);
        } finally {
          busy = false;
        }
      })();
    },
  };
}
