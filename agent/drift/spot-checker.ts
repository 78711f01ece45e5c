// Drift detection at the edge (issue 13.2): the spot checks the dashboard says are owed (heartbeat `spotChecks`),
// run one at a time in the background through the zoo's spot-check command — a fraction of the new data labelled
// conventionally and compared with the model's output — and each result posted to the dashboard. Tasks keep being
// claimed and run meanwhile: a check never holds up a run.
import fs from "node:fs";
import path from "node:path";
import type { AgentConfig } from "@/agent/config";
import type { DashboardClient } from "@/agent/dashboard-client";
import type { Executor } from "@/agent/executors";
import { parseZooLine } from "@/agent/zoo";
import { zooLines } from "@/agent/zoo-lines";
import type { OwedSpotCheckMessage, SpotCheckReport } from "@/lib/agent-protocol/spot-checks";

/** A failed check (missing file, unreadable layout) is not retried for this long; the heartbeat keeps offering it. */
const RETRY_AFTER_MS = 10 * 60_000;

const keyOf = (check: OwedSpotCheckMessage) => `${check.modelVersionId}/${check.datasetId}`;

/** Runs one spot check through `executor` and returns what the dashboard stores. */
export async function runSpotCheck(config: AgentConfig, executor: Executor, check: OwedSpotCheckMessage): Promise<SpotCheckReport> {
  const workdir = path.join(config.workdir, "spot-checks", `${check.modelVersionId}-${check.datasetId}-${Date.now()}`);
  const handle = await executor.start({
    runId: `spot-check-${check.modelVersionId}-${check.datasetId}`,
    // The checkpoint is loaded only after its sha256 matches the deployed version's (weights-only either way).
    argv: [
      config.python,
      "-m",
      "beamline_zoo",
      "spot-check",
      "--checkpoint",
      check.checkpointPath,
      "--checkpoint-sha256",
      check.checkpointSha256,
      "--data",
      check.dataPath,
      "--fraction",
      String(check.fraction),
      "--device",
      "cpu",
    ],
    workdir,
    env: { PYTHONPATH: config.zooDir },
    cpus: config.cpus,
    timeLimitMinutes: 10,
  });
  let measured: ReturnType<(typeof zooLines)["spot_check"]["parse"]> | null = null;
  let zooError: string | null = null;
  for await (const raw of handle.lines()) {
    const line = parseZooLine(raw);
    if (line?.type === "error") zooError = String(line.message ?? "unknown error");
    if (line?.type !== "spot_check") continue;
    const parsed = zooLines.spot_check.safeParse(line);
    if (!parsed.success) throw new Error(`the model zoo wrote a malformed spot_check line: ${parsed.error.issues[0]?.message}`);
    measured = parsed.data;
  }
  const outcome = await handle.wait();
  if (outcome.state !== "completed" || !measured) throw new Error(zooError ?? `spot-check ${outcome.state} (${outcome.detail})`);
  fs.rmSync(workdir, { recursive: true, force: true });
  return { modelVersionId: check.modelVersionId, datasetId: check.datasetId, ...measured };
}

/**
 * Takes the owed checks each heartbeat brings: while one runs, new offers are ignored (the next heartbeat repeats
 * what is still owed); a failed one waits RETRY_AFTER_MS before it is tried again.
 */
export function createSpotChecker(config: AgentConfig, client: DashboardClient, executor: () => Executor) {
  let busy = false;
  const failedAt = new Map<string, number>();
  return {
    get busy() {
      return busy;
    },
    offer(owed: OwedSpotCheckMessage[]): Promise<void> | null {
      const check = busy ? undefined : owed.find((c) => Date.now() - (failedAt.get(keyOf(c)) ?? 0) >= RETRY_AFTER_MS);
      if (!check) return null;
      busy = true;
      return (async () => {
        try {
          const report = await runSpotCheck(config, executor(), check);
          await client.request("POST", "/api/agent/v1/spot-checks", { body: report, retries: 3 });
          console.log(
            `[agent] spot check of version ${check.modelVersionId} on dataset ${check.datasetId}: ${report.mean.toPrecision(3)} ${report.metric} over ${report.samples} samples`,
          );
        } catch (error) {
          failedAt.set(keyOf(check), Date.now());
          console.error(
            `[agent] spot check of version ${check.modelVersionId} on dataset ${check.datasetId} failed: ${(error as Error).message}`,
          );
        } finally {
          busy = false;
        }
      })();
    },
  };
}
