// Train: the zoo's train command on the trainer, as a local process or a Slurm job; epochs stream live.
import { z } from "zod";
import { family, finite, producedFile, sha256, trainParams } from "@/lib/agent-protocol/primitives";
import { parallelShape, SINGLE_PROCESS, type ParallelShape } from "@/lib/agent-protocol/parallel";
import type { AgentStep, RunFacts } from "@/lib/flow/steps/types";

export const trainPayload = z.object({
  family,
  datasetSha256: sha256,
  labelled: z.boolean(),
  parentSha256: sha256.nullable(),
  executor: z.enum(["local", "slurm"]),
  parallel: parallelShape.default(SINGLE_PROCESS),
  params: trainParams,
});
export const trainResult = z.object({
  artifact: producedFile,
  trainSeconds: finite.nonnegative(),
  /** Time the job waited in the site's scheduler before the training process ran. */
  queueSeconds: finite.nonnegative(),
  epochs: z.number().int().nonnegative(),
});

/** The training job's shape on the run's trainer (the standby a stage-in submits asks for the same). */
export function trainJobShape({ nodes, tasksPerNode, gpusPerNode }: RunFacts["trainer"]): ParallelShape {
  return { nodes, tasksPerNode, gpusPerNode };
}

export const trainStep: AgentStep<"train", "train", typeof trainPayload, typeof trainResult> = {
  name: "train",
  key: "train",
  label: "Train",
  shortLabel: "Train",
  column: "training",
  columnLabel: "Model training",
  color: "#E69F00",
  side: "trainer",
  includedWhen: () => true,
  payload: trainPayload,
  result: trainResult,
  buildPayload: async ({ run }) => ({
    family: run.family.key,
    datasetSha256: run.dataset.sha256,
    labelled: run.dataset.kind !== "raw",
    parentSha256: run.parent?.artifactSha256 ?? null,
    executor: run.trainer.executor,
    parallel: trainJobShape(run.trainer),
    params: run.params,
  }),
  applyResult: async ({ detail }, result) => ({
    detail: {
      ...detail,
      schedulerQueueSeconds: result.queueSeconds,
      trainSeconds: result.trainSeconds,
      epochs: result.epochs,
      artifact: result.artifact,
    },
    bytes: result.artifact.bytes,
    files: 1,
  }),
};
