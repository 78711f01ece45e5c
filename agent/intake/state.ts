// The intake's memory across restarts: which files (per data root, at which size and mtime) it already
// reported, so that a restarted agent does not hash and inspect every file of its roots again.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const reportedFile = z.object({
  dataRootId: z.string().min(1),
  path: z.string().startsWith("/"),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number().nonnegative(),
  sha256: z.string().nullable(),
});
export type ReportedFile = z.infer<typeof reportedFile>;
const stateFile = z.object({ version: z.literal(1), files: z.array(z.unknown()) });

export type IntakeState = Map<string, ReportedFile>;

const key = (dataRootId: string, file: string) => `${dataRootId}\u0000${file}`;

/** The state in a file's text; unreadable text, an unknown version or bad entries are forgotten (re-reported). */
export function parseIntakeState(text: string): IntakeState {
  const state: IntakeState = new Map();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return state;
  }
  const parsed = stateFile.safeParse(json);
  if (!parsed.success) return state;
  for (const entry of parsed.data.files) {
    const file = reportedFile.safeParse(entry);
    if (file.success) state.set(key(file.data.dataRootId, file.data.path), file.data);
  }
  return state;
}

export function serialiseIntakeState(state: IntakeState): string {
  return JSON.stringify({ version: 1, files: [...state.values()] });
}

/** Whether this file was reported at exactly this size and mtime. */
export function wasReported(state: IntakeState, dataRootId: string, file: string, now: { size: number; mtimeMs: number }): boolean {
  const entry = state.get(key(dataRootId, file));
  return entry !== undefined && entry.size === now.size && entry.mtimeMs === now.mtimeMs;
}

export function markReported(state: IntakeState, entry: ReportedFile) {
  state.set(key(entry.dataRootId, entry.path), entry);
}

/** Forgets the files of roots no longer watched (a root removed and declared again is scanned afresh). */
export function keepRoots(state: IntakeState, dataRootIds: ReadonlySet<string>) {
  for (const [k, entry] of state) if (!dataRootIds.has(entry.dataRootId)) state.delete(k);
}

export function loadIntakeState(file: string): IntakeState {
  try {
    return parseIntakeState(fs.readFileSync(file, "utf8"));
  } catch {
    return new Map();
  }
}

/** Written under a temporary name and renamed: a crash leaves the old state or the new, never half. */
export function saveIntakeState(file: string, state: IntakeState) {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(tmp, serialiseIntakeState(state));
  fs.renameSync(tmp, file);
}
