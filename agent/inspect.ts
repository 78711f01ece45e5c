// What the zoo makes of a dataset file, computed on the host holding it: `npm run agent -- inspect FILE`
// prints it, and edge intake reports it for each new file of a data root.
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import { promisify } from "node:util";
import { z } from "zod";
import { sha256File } from "@/agent/dataplane/hash";
import { family } from "@/lib/agent-protocol/primitives";

const run = promisify(execFile);

const inspected = z.object({
  type: z.literal("inspected"),
  family,
  samples: z.number().int().positive(),
  shape: z.array(z.number().int().nonnegative()).min(1),
  labelled: z.boolean(),
  kind: z.enum(["raw", "labelled", "simulated"]),
  layout: z.string().optional(),
});
export type ZooInspection = z.infer<typeof inspected>;

/** The zoo ran and could not read the file as a dataset: a verdict on the file, not a failure to retry. */
export class NotADataset extends Error {}

/**
 * The zoo's reading of the file (family, kind, samples, shape). Throws NotADataset with the zoo's reason when
 * the zoo ran and refused the file; any other error (no Python, a timeout, a signal) says nothing about it.
 */
export async function zooInspect(
  file: string,
  {
    python = process.env.ZOO_PYTHON ?? "/usr/bin/python3",
    zooDir = process.env.ZOO_DIR ?? "zoo",
  }: { python?: string; zooDir?: string } = {},
): Promise<ZooInspection> {
  const { stdout } = await run(python, ["-m", "beamline_zoo", "inspect", "--data", file], {
    env: { ...process.env, PYTHONPATH: zooDir },
    timeout: 300_000,
  }).catch((error: { code?: unknown; killed?: boolean; stdout?: string; stderr?: string; message?: string }) => {
    const reason = (error.stderr || error.stdout || error.message || "").trim().split("\n").pop();
    // exit 2: bad input, exit 1: the zoo failed on this file (cli.py); a string code is a spawn error.
    if (typeof error.code === "number" && !error.killed) throw new NotADataset(`Not a dataset the zoo can read: ${reason}`);
    throw new Error(`Could not run the zoo's inspect: ${reason}`);
  });
  const line = inspected.safeParse(JSON.parse(stdout.trim().split("\n").pop() ?? "{}"));
  if (!line.success) throw new Error(`The zoo's inspect answered something unexpected: ${stdout.trim().slice(-300)}`);
  return line.data;
}

export async function inspectDataset(file: string) {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) throw new Error(`${file} is not a readable file.`);
  if (stat.size === 0) throw new Error(`${file} is empty.`);
  const { type: _type, ...info } = await zooInspect(file);
  return { path: file, bytes: stat.size, sha256: await sha256File(file), ...info };
}
