// Real files and symlinks in a temporary folder: what is judged is where a path really leads.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { servablePath } from "./serve-roots";

const base = mkdtempSync(path.join(tmpdir(), "br-roots-"));
const root = path.join(base, "root");
const outside = path.join(base, "outside");
mkdirSync(path.join(root, "datasets"), { recursive: true });
mkdirSync(outside);
writeFileSync(path.join(root, "datasets", "a.h5"), "inside");
writeFileSync(path.join(outside, "secret"), "outside");
symlinkSync(path.join(outside, "secret"), path.join(root, "datasets", "link-to-secret"));
symlinkSync(outside, path.join(root, "link-to-outside"));
symlinkSync(root, path.join(base, "root-alias"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe("servablePath", () => {
  it("#2 a symlink inside a serve root cannot escape it", async () => {
    expect(await servablePath(path.join(root, "datasets", "link-to-secret"), [root])).toBeNull();
    expect(await servablePath(path.join(root, "link-to-outside", "secret"), [root])).toBeNull();
    expect(await servablePath(path.join(root, "datasets", "..", "..", "outside", "secret"), [root])).toBeNull();
  });

  it("serves files under a root by their real path, also when the root is reached through a symlink", async () => {
    const real = path.join(root, "datasets", "a.h5");
    expect(await servablePath(real, [root])).toBe(real);
    expect(await servablePath(path.join(base, "root-alias", "datasets", "a.h5"), [root])).toBe(real);
    expect(await servablePath(real, [path.join(base, "root-alias")])).toBe(real);
    expect(await servablePath(path.join(root, "datasets", "missing.h5"), [root])).toBeNull();
    expect(await servablePath(path.join(outside, "secret"), [root, path.join(base, "nowhere")])).toBeNull();
  });
});
