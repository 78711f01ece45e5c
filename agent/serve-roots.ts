import path from "node:path";

/** Files under one of the serve roots only; the dashboard's word alone is not enough to serve a file. */
export function isServable(file: string, roots: string[]): boolean {
  const resolved = path.resolve(file);
  return roots.some((root) => resolved === root || resolved.startsWith(root.endsWith("/") ? root : `${root}/`));
}
