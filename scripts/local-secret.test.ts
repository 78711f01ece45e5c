import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readOrCreateSecret } from "@/scripts/local-secret";

let dir = "";
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "beamline-secret-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe("the local NEXTAUTH_SECRET file", () => {
  it("is created readable by its owner only, whatever the umask, and kept across starts", () => {
    const file = path.join(dir, "nextauth-secret");
    const umask = process.umask(0o000);
    try {
      const secret = readOrCreateSecret(file);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
      expect(modeOf(file)).toBe(0o600);
      expect(readOrCreateSecret(file)).toBe(secret);
    } finally {
      process.umask(umask);
    }
  });

  it("written earlier with a looser mode: tightened to 0600, same secret", () => {
    const file = path.join(dir, "nextauth-secret");
    fs.writeFileSync(file, "an-older-secret", { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(readOrCreateSecret(file)).toBe("an-older-secret");
    expect(modeOf(file)).toBe(0o600);
  });
});
