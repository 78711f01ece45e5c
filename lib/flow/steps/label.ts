// Label: conventional analysis A (pseudo-Voigt fits) of raw data at the data center; C(A) is recorded.
import { z } from "zod";
import { finite, producedFile, sha256 } from "@/lib/agent-protocol/primitives";
import type { AgentStep } from "@/lib/flow/steps/types";

export const labelPayload = z.object({ datasetSha256: sha256 });
export const labelResult = z.object({
  peaks: z.number().int().nonnegative(),
  secondsPerPeak: finite.nonnegative(),
  failed: z.number().int().nonnegative(),
  output: producedFile,
});

export const labelStep: AgentStep<"label", "label", typeof labelPayload, typeof labelResult> = {
  name: "label",
  key: "label",
  label: "Label (conventional A)",
  shortLabel: "Label",
  column: "labelling",
  columnLabel: "Labelling",
  color: "#CC79A7",
  side: "trainer",
  includedWhen: (facts) => facts.needsLabelling,
  payload: labelPayload,
  result: labelResult,
  buildPayload: async ({ run }) => ({ datasetSha256: run.dataset.sha256 }),
  async applyResult(context, result) {
    await context.recordLabellingCost({ secondsPerDatum: result.secondsPerPeak, samples: result.peaks });
    return { detail: result };
  },
};
