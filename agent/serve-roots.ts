import { realpath } from "node:fs/promises";
import path from "node:path";

/** `target` is `root` or inside it (both already resolved). */
export function isWithin(target: string, root: string): boolean {
  const relative = path.relative(root, target);
  return relative === "" || (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/**
 * The real path of `file` when it lies under one of the serve roots, else null: the dashboard's word
 * alone is not enough to serve a file. Both sides are resolved with realpath, so a symlink inside a
 * root that points outside it (or a root reached through a symlink) is judged by where it leads; the
 * caller opens the returned real path, not the one it was given.
 */
export async function servablePath(file: string, roots: string[]): Promise<string | null> {
  const target = await realpath(path.resolve(file)).catch(() => null);
  if (!target) return null;
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => null);
    if (realRoot && isWithin(target, realRoot)) return target;
  }
  return null;
}
