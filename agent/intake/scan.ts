// One scan of a data root: every regular file under it (recursive), with size and mtime. Hidden files and
// folders (a leading dot: editors' and copy tools' temporaries) are skipped. A symbolic link counts by where it
// leads, and only when that lies inside the root too; it is listed under that real path, in the root's
// own spelling, which is the path the dashboard checks and a transfer will read.
import fs from "node:fs/promises";
import path from "node:path";
import type { Observation } from "@/agent/intake/stability";
import { isWithin } from "@/agent/serve-roots";

export interface RootScan {
  /** null when the root cannot be read (missing folder, no permission) */
  problem: string | null;
  files: Map<string, Observation>;
}

export async function scanRoot(root: string): Promise<RootScan> {
  const files = new Map<string, Observation>();
  const realRoot = await fs.realpath(root).catch(() => null);
  if (!realRoot) return { problem: `${root} does not exist on this host or cannot be read`, files };
  const pending = [realRoot];
  const visited = new Set<string>();
  while (pending.length > 0) {
    const dir = pending.pop()!;
    if (visited.has(dir)) continue;
    visited.add(dir);
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const real = await fs.realpath(path.join(dir, entry.name)).catch(() => null);
      if (!real || !isWithin(real, realRoot)) continue;
      const stat = await fs.stat(real).catch(() => null);
      if (stat?.isDirectory()) pending.push(real);
      else if (stat?.isFile()) files.set(path.posix.join(root, path.relative(realRoot, real)), { size: stat.size, mtimeMs: stat.mtimeMs });
    }
  }
  return { problem: null, files };
}
