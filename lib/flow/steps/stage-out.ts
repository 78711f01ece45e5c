// Stage-out: the trained model (and, for raw data, its labels: the paper's "labels back") trainer → edge.
import { z } from "zod";
import { transferTicket } from "@/lib/agent-protocol/primitives";
import { applyTransfers, transfersResult } from "@/lib/flow/steps/stage-in";
import { labelResult } from "@/lib/flow/steps/label";
import { trainResult } from "@/lib/flow/steps/train";
import type { AgentStep } from "@/lib/flow/steps/types";

export const stageOutPayload = z.object({ artifact: transferTicket, labelledDataset: transferTicket.nullable().default(null) });

export const stageOutStep: AgentStep<"stage_out", "stageOut", typeof stageOutPayload, typeof transfersResult> = {
  name: "stage_out",
  key: "stageOut",
  label: "Stage-out (model → edge)",
  shortLabel: "Stage-out",
  column: "modelTransfer",
  columnLabel: "Model transfer",
  color: "#56B4E9",
  side: "edge",
  includedWhen: () => true,
  payload: stageOutPayload,
  result: transfersResult,
  async buildPayload({ run, transferFrom, resultOf }) {
    const trained = await resultOf("train", trainResult);
    const artifact = await transferFrom("trainer", "model", trained.artifact);
    if (run.dataset.kind !== "raw") return { artifact, labelledDataset: null };
    const labelled = await resultOf("label", labelResult);
    return { artifact, labelledDataset: await transferFrom("trainer", "labels", labelled.output) };
  },
  applyResult: applyTransfers,
};
