// Content-addressed files on an agent: a dataset or checkpoint is stored under its sha256, so a retry
// finds what an earlier attempt already moved and verified.
import fs from "node:fs";
import path from "node:path";

export type StoredKind = "dataset" | "checkpoint";

export function storePath(workdir: string, sha256: string, kind: StoredKind): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
  return path.join(workdir, "store", `${sha256}${kind === "dataset" ? ".h5" : ".pt"}`);
}

/**
 * The labels of one run's dataset: per run, so that two runs labelling the same dataset never write one
 * file (the zoo writes it under a temporary name and renames it into place).
 */
export function labelledPath(workdir: string, runId: string): string {
  return taskDir(workdir, runId, "labelled.h5");
}

/**
 * Where one transfer downloads before its verified file is renamed onto `destPath`: its `.part` is then
 * its own, so concurrent stage-ins of one sha256 (two runs of one dataset) never append to one file.
 */
export function transferStagingPath(destPath: string, transferId: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(transferId)) throw new Error(`not a transfer id: ${transferId}`);
  return `${destPath}.${transferId}`;
}

export function taskDir(workdir: string, runId: string, name: string): string {
  return path.join(workdir, "runs", runId, name);
}

export function requireFile(file: string, what: string): string {
  if (!fs.existsSync(file)) throw new Error(`${what} is not on this host (${file}): retry the run from the step that moves it.`);
  return file;
}
