import { z } from "zod";
import { edgeHostPath } from "@/lib/data-roots/data-root-path";

// Dataset paths are absolute paths on the edge host, normalised, with no parent-directory hops and no
// control characters: the edge agent serves exactly this file and nothing it could be tricked into.
export const datasetPath = edgeHostPath.refine((p) => /\.(h5|hdf5)$/i.test(p), "Datasets are HDF5 files (.h5 or .hdf5).");

const shapeText = z
  .string()
  .trim()
  .regex(/^\d+(\s*[x×,]\s*\d+)*$/, "Write shapes like 20000×11×11.")
  .transform((s) => s.split(/\s*[x×,]\s*/).map(Number));

export const registerDatasetInput = z.object({
  experimentId: z.string().min(1),
  name: z
    .string()
    .trim()
    .min(1, "Name the dataset.")
    .max(120, "Keep the name under 120 characters.")
    .regex(/^[\p{L}\p{N} ._\-()+]+$/u, "Use letters, digits, spaces and . _ - ( ) + only."),
  edgeHostId: z.string().min(1, "Choose the edge host that holds the file."),
  path: datasetPath,
  familyKey: z.enum(["braggnn", "cookienetae"], { message: "Choose the model family this data trains." }),
  kind: z.enum(["raw", "labelled", "simulated"], { message: "Choose raw, labelled or simulated." }),
  bytes: z.coerce.number().int("Bytes must be a whole number.").positive("The file cannot be empty.").max(1e13),
  sha256: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[0-9a-f]{64}$/, "sha256 is 64 hexadecimal characters."),
  sampleCount: z.coerce.number().int().positive("A dataset needs at least one sample.").max(1e9),
  shape: shapeText,
});

export type RegisterDatasetInput = z.infer<typeof registerDatasetInput>;
