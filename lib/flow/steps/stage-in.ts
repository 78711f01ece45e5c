// Stage-in: the dataset (and the parent checkpoint when fine-tuning) edge host → trainer, verified by sha256.
import { z } from "zod";
import { transferResult, transferTicket } from "@/lib/agent-protocol/primitives";
import { parallelShape } from "@/lib/agent-protocol/parallel";
import type { AgentStep, ResultContext } from "@/lib/flow/steps/types";
import { trainJobShape } from "@/lib/flow/steps/train";

export const stageInPayload = z.object({
  dataset: transferTicket.extend({ name: z.string().max(200) }),
  parentCheckpoint: transferTicket.nullable(),
  /**
   * The training job that follows this stage-in on the same trainer with nothing between (no labelling): its
   * agent may start preparing it while the data moves (a Slurm standby job, agent/executors/slurm.ts).
   */
  trainJob: z
    .object({ executor: z.enum(["local", "slurm"]), parallel: parallelShape })
    .nullable()
    .default(null),
});
export const transfersResult = z.object({ transfers: z.array(transferResult).min(1).max(2) });

/** Both transfer steps record their transfers and the bytes and files they moved. */
export async function applyTransfers(context: ResultContext, { transfers }: z.output<typeof transfersResult>) {
  await context.completeTransfers(transfers);
  return { bytes: transfers.reduce((sum, t) => sum + t.bytes, 0), files: transfers.length };
}

export const stageInStep: AgentStep<"stage_in", "stageIn", typeof stageInPayload, typeof transfersResult> = {
  name: "stage_in",
  key: "stageIn",
  label: "Stage-in (data → trainer)",
  shortLabel: "Stage-in",
  column: "dataTransfer",
  columnLabel: "Data transfer",
  color: "#0072B2",
  side: "trainer",
  includedWhen: () => true,
  payload: stageInPayload,
  result: transfersResult,
  async buildPayload({ run, transferFrom, refuse }) {
    const dataset = await transferFrom("edge", "dataset", run.dataset);
    const trainJob = run.dataset.kind === "raw" ? null : { executor: run.trainer.executor, parallel: trainJobShape(run.trainer) };
    if (!run.parent) return { dataset: { ...dataset, name: run.dataset.name }, parentCheckpoint: null, trainJob };
    if (run.parent.deployedPath === null) return refuse(`Parent model v${run.parent.version} is not deployed on ${run.edgeHost.name}.`);
    const parentCheckpoint = await transferFrom("edge", "parent-checkpoint", {
      path: run.parent.deployedPath,
      bytes: run.parent.artifactBytes,
      sha256: run.parent.artifactSha256,
    });
    return { dataset: { ...dataset, name: run.dataset.name }, parentCheckpoint, trainJob };
  },
  applyResult: applyTransfers,
};
