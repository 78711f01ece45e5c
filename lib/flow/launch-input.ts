import { z } from "zod";

export const launchRunInput = z.object({
  experimentId: z.string().min(1),
  datasetId: z.string().min(1, "Choose a dataset."),
  trainerId: z.string().min(1, "Choose a trainer."),
  parentVersionId: z
    .string()
    .optional()
    .transform((v) => (v ? v : null)),
  epochs: z.coerce.number().int("Epochs is a whole number.").min(1, "At least one epoch.").max(5000, "At most 5000 epochs."),
  batchSize: z.coerce.number().int().min(1, "Batch size is at least 1.").max(8192, "Batch size is at most 8192."),
  learningRate: z.coerce.number().positive("Learning rate must be positive.").max(1, "Learning rate above 1 diverges."),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  maxSamples: z
    .union([z.literal(""), z.coerce.number().int().positive("Max samples must be positive.")])
    .optional()
    .transform((v) => (typeof v === "number" ? v : null)),
  reason: z.string().trim().max(500, "Keep the reason under 500 characters.").default(""),
  idempotencyKey: z.string().min(8).max(100),
});

export type LaunchRunInput = z.infer<typeof launchRunInput>;
