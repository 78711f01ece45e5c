// Building blocks of the agent protocol shared by the step registry (lib/flow/steps) and the protocol's
// own messages (schemas.ts). Pure zod: the browser, the dashboard and the agent all import it.
import { z } from "zod";

export const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lowercase hex characters");
export const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "ids are letters, digits, _ and -");
export const finite = z.number().finite();
export const family = z.enum(["braggnn", "cookienetae"]);

/** A file to fetch from another agent's data plane. */
export const transferTicket = z.object({
  transferId: id,
  url: z.url().max(400),
  token: z.string().min(32).max(128),
  /** The dashboard's signature of what the token may fetch (lib/agent-protocol/grant-seal.ts): the source need not ask first. */
  seal: z.string().max(4096).optional(),
  bytes: z.number().int().nonnegative(),
  sha256,
});
export type TransferTicket = z.infer<typeof transferTicket>;

/** What the receiving agent reports for one verified transfer. */
export const transferResult = z.object({
  transferId: id,
  bytes: z.number().int().nonnegative(),
  seconds: finite.nonnegative(),
  startupSeconds: finite.nonnegative(),
  attempts: z.number().int().positive(),
});
export type TransferResult = z.infer<typeof transferResult>;

/** A file the agent produced, with the checksum it computed itself. */
export const producedFile = z.object({ path: z.string().max(1024), bytes: z.number().int().positive(), sha256 });

export const trainParams = z.object({
  epochs: z.number().int().min(1).max(5000),
  batchSize: z.number().int().min(1).max(8192),
  learningRate: z.number().positive().max(1),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  maxSamples: z.number().int().positive().nullable(),
});
export type TrainParams = z.infer<typeof trainParams>;

export const metricRecord = z.record(z.string().max(40), finite);
