// `npm run agent -- inspect FILE`: what dataset registration asks for, computed on the host holding it.
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import { promisify } from "node:util";
import { sha256File } from "@/agent/dataplane/hash";

const run = promisify(execFile);

export async function inspectDataset(file: string) {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) throw new Error(`${file} is not a readable file.`);
  if (stat.size === 0) throw new Error(`${file} is empty.`);
  const python = process.env.ZOO_PYTHON ?? "/usr/bin/python3";
  const { stdout } = await run(python, ["-m", "beamline_zoo", "inspect", "--data", file], {
    env: { ...process.env, PYTHONPATH: process.env.ZOO_DIR ?? "zoo" },
  }).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`Not a dataset the zoo can read: ${(error.stderr ?? error.stdout ?? "").trim().split("\n").pop()}`);
  });
  const line = stdout.trim().split("\n").pop() ?? "{}";
  return { path: file, bytes: stat.size, sha256: await sha256File(file), ...(JSON.parse(line) as Record<string, unknown>) };
}
