// Drift spot checks in the agent protocol: what the heartbeat asks an edge agent to check, and what it reports.
import { z } from "zod";
import { family, finite, id, sha256 } from "@/lib/agent-protocol/primitives";

const fraction = finite.gt(0, "fraction must be above 0").max(1, "fraction must be at most 1");

/** One check the edge owes: score this checkpoint on a labelled fraction of this file (the zoo's spot-check). */
export const owedSpotCheck = z.object({
  modelVersionId: id,
  datasetId: id,
  family,
  checkpointPath: z.string().min(1).max(1024),
  checkpointSha256: sha256,
  dataPath: z.string().min(1).max(1024),
  fraction,
  purpose: z.enum(["monitor", "rank"]),
});
export type OwedSpotCheckMessage = z.infer<typeof owedSpotCheck>;

/** What the edge measured: the zoo's spot_check line for one (version, dataset). */
export const spotCheckReport = z
  .object({
    modelVersionId: id,
    datasetId: id,
    metric: z.enum(["px", "mse"]),
    mean: finite.nonnegative("mean must be a non-negative number"),
    p95: finite.nonnegative("p95 must be a non-negative number"),
    samples: z.number().int().positive("samples must be a positive whole number"),
    drawn: z.number().int().positive("drawn must be a positive whole number"),
    fraction,
    seconds: finite.nonnegative().max(86_400),
  })
  .refine((r) => r.samples <= r.drawn, { message: "samples cannot exceed drawn", path: ["samples"] });
export type SpotCheckReport = z.infer<typeof spotCheckReport>;
