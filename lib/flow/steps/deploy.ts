// Deploy: the edge re-verifies the model's sha256, validates it on held-out data, benchmarks inference
// (C(E)), exports it, and evaluates the model in service (if any) on the same samples; the dashboard
// registers the version with its lineage and puts it in service unless it is worse (lib/flow/deploy-gate.ts).
import { z } from "zod";
import { family, finite, id, metricRecord, sha256 } from "@/lib/agent-protocol/primitives";
import { labelResult } from "@/lib/flow/steps/label";
import { trainResult } from "@/lib/flow/steps/train";
import type { AgentStep } from "@/lib/flow/steps/types";

// The edge validates on up to this many held-out samples.
export const VALIDATION_SAMPLES = 4096;

export const deployPayload = z.object({
  family,
  artifactSha256: sha256,
  /** Held-out data: the registered dataset on the edge host, or the labelled copy that came back with the model. */
  validation: z.union([z.object({ path: z.string().min(1).max(1024) }), z.object({ labelledSha256: sha256 })]),
  maxValidationSamples: z.number().int().positive(),
  /** The deployment in service for this family and experiment on the edge host, to evaluate on the same samples. */
  inService: z
    .object({ deploymentId: id, version: z.number().int().positive(), path: z.string().min(1).max(1024), sha256 })
    .nullable()
    .default(null),
});
export const deployResult = z.object({
  path: z.string().max(1024),
  sha256,
  metrics: metricRecord,
  secondsPerDatum: finite.positive(),
  samples: z.number().int().positive(),
  exported: z.array(z.object({ format: z.string().max(20), path: z.string().max(1024), bytes: z.number().int() })).max(4),
  /** The model in service, evaluated like the new one: its figures, or why it could not be. */
  inService: z
    .union([z.object({ deploymentId: id, metrics: metricRecord }), z.object({ deploymentId: id, failure: z.string().min(1).max(500) })])
    .nullable()
    .default(null),
});

export const deployStep: AgentStep<"deploy", "deploy", typeof deployPayload, typeof deployResult> = {
  name: "deploy",
  key: "deploy",
  label: "Deploy & validate",
  shortLabel: "Deploy",
  column: "deploy",
  columnLabel: "Deploy",
  color: "#009E73",
  side: "edge",
  includedWhen: () => true,
  payload: deployPayload,
  result: deployResult,
  async buildPayload({ run, resultOf }) {
    const trained = await resultOf("train", trainResult);
    const validation =
      run.dataset.kind === "raw" ? { labelledSha256: (await resultOf("label", labelResult)).output.sha256 } : { path: run.dataset.path };
    return {
      family: run.family.key,
      artifactSha256: trained.artifact.sha256,
      validation,
      maxValidationSamples: VALIDATION_SAMPLES,
      inService: run.inService,
    };
  },
  async applyResult(context, result) {
    const trained = await context.resultOf("train", trainResult);
    const gate = await context.registerDeployedModel(result, trained.artifact);
    const { metrics, secondsPerDatum, samples, exported } = result;
    return { detail: { metrics, secondsPerDatum, samples, exported, gate } };
  },
};
