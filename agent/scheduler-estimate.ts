// Slurm trainers (issue 9, queue prediction): while idle, the agent asks the scheduler when a job of the
// trainer's usual shape would start now (`sbatch --test-only`: answered by slurmctld, no job is created) and
// brings the answer with its next heartbeat; the dashboard's queue prediction takes the larger of it and the
// backlog of runs ahead. At most every ESTIMATE_EVERY_MS, in the background.
import path from "node:path";
import type { AgentConfig } from "@/agent/config";
import { executor, zooJob } from "@/agent/zoo";
import type { ParallelShape } from "@/lib/agent-protocol/parallel";

const ESTIMATE_EVERY_MS = 30_000;

export function createSchedulerEstimator(config: AgentConfig) {
  let measured: number | null = null;
  let lastAt = 0;
  let busy = false;
  return {
    /** The estimate measured since the last call, once. */
    take(): number | null {
      const value = measured;
      measured = null;
      return value;
    },
    /** The heartbeat answer's job shape (null: not a Slurm trainer). */
    offer(shape: ParallelShape | null | undefined, idle: boolean) {
      if (!shape || !idle || busy || Date.now() - lastAt < ESTIMATE_EVERY_MS) return;
      const slurm = executor("slurm", config);
      if (!slurm.estimateStart) return;
      busy = true;
      lastAt = Date.now();
      void (async () => {
        try {
          measured = await slurm.estimateStart!({
            runId: "start-estimate",
            ...zooJob(config.python, ["train"], "slurm", shape, config.cpus),
            workdir: path.join(config.workdir, "start-estimate"),
            env: {},
            timeLimitMinutes: config.timeLimitMinutes,
          });
        } catch (error) {
          console.error(`[agent] Slurm start estimate failed: ${(error as Error).message}`);
        } finally {
          busy = false;
        }
      })();
    },
  };
}
