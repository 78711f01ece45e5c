// Names of datasets that arrive through edge intake: the file's path inside its data root, so a person
// finds the file from the name, made unique within the experiment with a counter.
import { isInsideRoot } from "@/lib/data-roots/data-root-path";

export const MAX_DATASET_NAME = 120;
// room for a " (NN)" counter
const MAX_BASE = MAX_DATASET_NAME - 8;

/** `series-a/scan-000.h5` in its root → `series-a/scan-000`; a long path keeps its end (the file name). */
export function datasetNameFor(rootPath: string, filePath: string): string {
  if (!isInsideRoot(filePath, rootPath)) throw new Error(`${filePath} is not inside ${rootPath}`);
  const relative = filePath.slice(rootPath === "/" ? 1 : rootPath.length + 1);
  const base = relative.replace(/\.(h5|hdf5)$/i, "").replace(/[^\p{L}\p{N} ._\-()+/]/gu, "_");
  return base.length > MAX_BASE ? `…${base.slice(-(MAX_BASE - 1))}` : base;
}

/** `base`, or `base (2)`, `base (3)`, … whichever is not taken yet. */
export function firstFreeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base} (${n})`;
    if (!taken.has(candidate)) return candidate;
  }
}
