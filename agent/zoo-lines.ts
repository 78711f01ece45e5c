// The model zoo's JSON lines that the agent turns into step results (zoo/beamline_zoo/protocol.py). The zoo
// is another program: each line is checked before a number of it reaches the dashboard.
import { z } from "zod";

const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative();
/** Metric values that are finite numbers; anything else (a NaN written as null, a label) is dropped. */
const finiteMetrics = z
  .record(z.string(), z.unknown())
  .default({})
  .transform((metrics) =>
    Object.fromEntries(Object.entries(metrics).filter((entry): entry is [string, number] => Number.isFinite(entry[1]))),
  );

const schemas = {
  progress: z.object({ done: z.number().nonnegative(), total: z.number().nonnegative() }),
  labelled: z.object({ peaks: count, seconds_per_peak: seconds, failed: count.default(0) }),
  start: z.object({
    family: z.string(),
    parameters: count,
    train_samples: count,
    val_samples: count,
    threads: count,
    batch_size: count.default(0),
    lr: z.number().default(0),
    // data-parallel: batch_size is per rank, one step sees global_batch_size samples at `lr`
    world_size: count.default(1),
    global_batch_size: count.default(0),
    base_lr: z.number().default(0),
    lr_scaling: z.string().default("none"),
  }),
  first_batch: z.object({ at: z.number().positive() }),
  epoch: z.object({
    epoch: z.number().int().positive(),
    loss: z.number(),
    val_loss: z.number().nullable().default(null),
    metrics: finiteMetrics,
    seconds: seconds.default(0),
    samples_per_s: seconds.default(0),
    /** Data-parallel runs: each rank's throughput, gathered by rank 0. */
    ranks: z.array(z.object({ rank: count, samples_per_s: seconds.nullable() })).default([]),
  }),
  artifact: z.object({ path: z.string().min(1), sha256: z.string(), bytes: count.optional(), format: z.string().default("pytorch") }),
  evaluation: z.object({
    metrics: finiteMetrics,
    // Timed for the model to deploy; the model in service is only compared on the same samples (zoo deploy).
    seconds_per_datum: z.number().positive().optional(),
    samples: z.number().int().positive(),
    role: z.enum(["candidate", "in_service"]).default("candidate"),
  }),
  in_service_failed: z.object({ message: z.string() }),
  // Drift check (spot-check command): the error is named after its metric (mean_px or mean_mse); read as mean / p95.
  spot_check: z
    .object({
      metric: z.enum(["px", "mse"]),
      fraction: z.number().positive().max(1),
      drawn: count,
      samples: count,
      mean_px: seconds.optional(),
      p95_px: seconds.optional(),
      mean_mse: seconds.optional(),
      p95_mse: seconds.optional(),
      seconds,
    })
    .transform(({ metric, fraction, drawn, samples, seconds, ...values }, context) => {
      const mean = values[`mean_${metric}`];
      const p95 = values[`p95_${metric}`];
      if (mean === undefined || p95 === undefined) {
        context.addIssue({ code: "custom", message: `a ${metric} spot check must carry mean_${metric} and p95_${metric}` });
        return z.NEVER;
      }
      return { metric, fraction, drawn, samples, mean, p95, seconds };
    }),
};
export type ZooLineType = keyof typeof schemas;
export type ZooLineOf<T extends ZooLineType> = z.output<(typeof schemas)[T]>;

/** Keyed so that code generic over the line type keeps schema and output tied together. */
export const zooLines: { [T in ZooLineType]: z.ZodType<ZooLineOf<T>> } = schemas;

export function isKnownZooLine(type: string): type is ZooLineType {
  return type in schemas;
}
