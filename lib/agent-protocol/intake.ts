// Edge intake messages: the data roots the dashboard tells an edge agent to watch (in the heartbeat
// answer), what the agent reports for each closed file it finds there, and each scan's list of files.
import { z } from "zod";
import { family, id, sha256 } from "@/lib/agent-protocol/primitives";

/** A folder on this edge host holding one experiment's data. */
export const watchedDataRoot = z.object({ id, experimentId: id, path: z.string().startsWith("/").max(1024) });
export type WatchedDataRoot = z.infer<typeof watchedDataRoot>;

const filePath = z.string().startsWith("/", "path must be absolute").max(1024);

const recognisedFile = z.object({
  status: z.literal("recognised"),
  dataRootId: id,
  path: filePath,
  bytes: z.number().int().positive(),
  sha256,
  familyKey: family,
  kind: z.enum(["raw", "labelled", "simulated"]),
  sampleCount: z.number().int().positive().max(1e9),
  /** the sample array's full shape, e.g. [300, 11, 11] */
  shape: z.array(z.number().int().nonnegative()).min(1).max(8),
  layout: z.string().max(40).nullish(),
});

const unrecognisedFile = z.object({
  status: z.literal("unrecognised"),
  dataRootId: id,
  path: filePath,
  bytes: z.number().int().nonnegative(),
  /** null when the agent did not hash it (not an HDF5 name) */
  sha256: sha256.nullable(),
  reason: z.string().min(1).max(2000),
});

/** One closed file the agent found in a data root: the zoo's reading of it, or why it could not read it. */
export const intakeFileReport = z.discriminatedUnion("status", [recognisedFile, unrecognisedFile]);
export type IntakeFileReport = z.infer<typeof intakeFileReport>;

export const intakeFileAnswer = z.object({
  fileId: id,
  /** the dataset this file is (null: unrecognised, or a dataset of it was removed) */
  datasetId: id.nullable(),
  datasetName: z.string().nullable(),
  created: z.boolean(),
});

/** The files present in each root at one scan; rows of files no longer there are dropped. */
export const intakeScanReport = z.object({
  roots: z
    .array(
      z.object({
        dataRootId: id,
        paths: z.array(filePath).max(2000),
        /** more files than `paths` holds: the dashboard keeps rows it does not see listed */
        truncated: z.boolean(),
      }),
    )
    .max(64),
});
export type IntakeScanReport = z.infer<typeof intakeScanReport>;
