import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanRoot } from "@/agent/intake/scan";

const base = fs.mkdtempSync(path.join(os.tmpdir(), "intake-scan-"));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe("scanRoot", () => {
  it("lists files recursively under the root's own spelling, skipping hidden ones and links that leave the root", async () => {
    const real = path.join(base, "real");
    fs.mkdirSync(path.join(real, "day2", ".partial"), { recursive: true });
    fs.writeFileSync(path.join(real, "a.h5"), "aaaa");
    fs.writeFileSync(path.join(real, "day2", "b.h5"), "bb");
    fs.writeFileSync(path.join(real, "day2", ".b.h5.swp"), "x");
    fs.writeFileSync(path.join(real, "day2", ".partial", "c.h5"), "x");
    fs.writeFileSync(path.join(base, "outside.h5"), "secret");
    fs.symlinkSync(path.join(base, "outside.h5"), path.join(real, "escape.h5"));
    fs.symlinkSync(path.join(real, "a.h5"), path.join(real, "alias.h5"));
    fs.symlinkSync(real, path.join(real, "day2", "loop"));
    // The root is reached through a link: paths keep the root's spelling.
    const root = path.join(base, "root-link");
    fs.symlinkSync(real, root);

    const { problem, files } = await scanRoot(root);
    expect(problem).toBeNull();
    expect([...files.keys()].sort()).toEqual([`${root}/a.h5`, `${root}/day2/b.h5`]);
    expect(files.get(`${root}/a.h5`)?.size).toBe(4);
  });

  it("says when the root is missing", async () => {
    const scan = await scanRoot(path.join(base, "nope"));
    expect(scan.problem).toContain("does not exist");
    expect(scan.files.size).toBe(0);
  });
});
