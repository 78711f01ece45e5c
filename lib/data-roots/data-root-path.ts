// Pure path rules shared by data roots and dataset registration. Paths are POSIX paths on an edge host.
import path from "node:path";
import { z } from "zod";

/** An absolute edge-host path, normalised (no `//`, `/./` or trailing slash), with no `..` and no control characters. */
export const edgeHostPath = z
  .string()
  .trim()
  .min(2, "Give an absolute path on the edge host.")
  .max(1024, "The path is longer than 1024 characters.")
  .refine((p) => p.startsWith("/"), "The path must be absolute (start with /).")
  .refine((p) => !p.split("/").includes(".."), "The path must not contain '..'.")
  .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), "The path contains control characters.")
  .transform((p) => path.posix.normalize(p).replace(/(.)\/$/, "$1"));

/** Whether `file` lies strictly inside the folder `root` (both normalised by edgeHostPath). */
export function isInsideRoot(file: string, root: string): boolean {
  return root === "/" ? file.length > 1 : file.startsWith(`${root}/`);
}
