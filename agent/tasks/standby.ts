// When a stage-in submits the standby Slurm job of the training that follows it (agent/zoo.ts): early enough
// that Slurm's scheduling pass (up to a second on Slurm 22.05) and the job's imports overlap the transfer,
// late enough that a long transfer does not hold an idle allocation for its whole length.
import type { ParallelShape } from "@/lib/agent-protocol/parallel";
import type { TaskContext } from "@/agent/task-context";
import { dropStandby, standByForTraining } from "@/agent/zoo";

/** Submit once the transfer's remaining time, at the rate seen so far, is this short. */
export const STANDBY_LEAD_SECONDS = 5;
/** The rate assumed before any bytes arrived: stage-ins up to 500 MB submit the standby at once. */
const RATE_BEFORE_FIRST_BYTES = 100e6;

export function standbyDue(
  progress: { totalBytes: number; doneBytes: number; elapsedSeconds: number },
  leadSeconds = STANDBY_LEAD_SECONDS,
): boolean {
  const { totalBytes, doneBytes, elapsedSeconds } = progress;
  const rate = doneBytes > 0 && elapsedSeconds > 0 ? doneBytes / elapsedSeconds : RATE_BEFORE_FIRST_BYTES;
  return Math.max(0, totalBytes - doneBytes) / rate <= leadSeconds;
}

/** Follows a stage-in's bytes and submits the training's standby when it is due; drop() if the stage-in fails. */
export function trainingStandby(context: TaskContext, shape: ParallelShape, totalBytes: number) {
  const startedAt = Date.now();
  let standingBy: Promise<unknown> | null = null;
  const progress = (doneBytes: number) => {
    if (standingBy || !standbyDue({ totalBytes, doneBytes, elapsedSeconds: (Date.now() - startedAt) / 1000 })) return;
    standingBy = standByForTraining(context, shape).then(
      (done) => {
        if (done === "submitted") context.log("submitted a standby Slurm job for the training that follows");
        if (done === "renewed") context.log("the training that follows takes the standby Slurm job the Retrain dialog asked for");
      },
      (error: Error) => context.log(`could not stand a Slurm job by: ${error.message}`),
    );
  };
  progress(0);
  // A standby that cannot be cancelled gives up by itself; its failure must not replace the stage-in's own error.
  const drop = async () => {
    if (!standingBy) return;
    await standingBy;
    await dropStandby(context).catch((error: Error) => context.log(`could not cancel the standby job: ${error.message}`));
  };
  return { progress, drop };
}
