// Content-addressed files on an agent: a dataset or checkpoint is stored under its sha256, so a retry
// finds what an earlier attempt already moved and verified.
import fs from "node:fs";
import path from "node:path";

export type StoredKind = "dataset" | "checkpoint";

export function storePath(workdir: string, sha256: string, kind: StoredKind): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
  return path.join(workdir, "store", `${sha256}${kind === "dataset" ? ".h5" : ".pt"}`);
}

export function labelledPath(workdir: string, datasetSha256: string): string {
  return storePath(workdir, datasetSha256, "dataset").replace(/\.h5$/, ".labelled.h5");
}

export function taskDir(workdir: string, runId: string, name: string): string {
  return path.join(workdir, "runs", runId, name);
}

export function requireFile(file: string, what: string): string {
  if (!fs.existsSync(file)) throw new Error(`${what} is not on this host (${file}): retry the run from the step that moves it.`);
  return file;
}
