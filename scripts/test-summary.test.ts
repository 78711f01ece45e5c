// The summary reads reports the real runners wrote for a few tiny tests (a pass, a failure, skips with
// and without a reason), so that a runner changing its report format fails here.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { junitTally, playwrightTally, vitestTally } from "@/scripts/test-summary";

const ROOT = path.resolve(__dirname, "..");
let dir = "";
let results = "";

function run(argv: string[], env: Record<string, string> = {}) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "beamline-summary-"));
  results = path.join(dir, "results");
  fs.mkdirSync(results);
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));

  fs.writeFileSync(
    path.join(dir, "test_zoo.py"),
    `import pytest

def test_passes():
    assert True

def test_fails():
    assert False

def test_needs_reference_data():
    pytest.skip("reference data not found at /x/<shared> & co (set BEAMLINE_REFERENCE_DATA)")

@pytest.mark.skipif(True, reason="no GPU")
def test_gpu():
    pass
`,
  );
  run(["/usr/bin/python3", "-m", "pytest", "test_zoo.py", "-q", "-p", "no:cacheprovider", `--junitxml=${results}/zoo.xml`]);

  fs.writeFileSync(
    path.join(dir, "unit.test.ts"),
    `describe("group", () => {
  it("passes", () => expect(1).toBe(1));
  it("fails", () => expect(1).toBe(2));
  it("skips itself", (ctx) => ctx.skip("Slurm is not installed"));
  it.skip("is skipped in the code", () => {});
  it.todo("is still to write");
});
`,
  );
  run(
    [
      process.execPath,
      path.join(ROOT, "node_modules/vitest/vitest.mjs"),
      "run",
      "--root",
      dir,
      "--globals",
      "--reporter=json",
      `--outputFile.json=${results}/unit.json`,
      `--reporter=${path.join(ROOT, "testing/vitest-skips-reporter.ts")}`,
    ],
    { VITEST_SKIPS_FILE: `${results}/unit-skips.json` },
  );

  fs.writeFileSync(
    path.join(dir, "journey.spec.ts"),
    `import { test, expect } from "@playwright/test";
test.describe("journey", () => {
  test("passes", () => expect(1).toBe(1));
  test("skips itself", () => test.skip(true, "needs the Slurm cluster"));
  test.skip("is skipped in the code", () => {});
  test("fails", () => expect(1).toBe(2));
});
`,
  );
  fs.writeFileSync(
    path.join(dir, "pw.config.ts"),
    `export default { testDir: ".", testMatch: "*.spec.ts", reporter: [["json", { outputFile: ${JSON.stringify(`${results}/e2e-report.json`)} }]] };\n`,
  );
  run([process.execPath, path.join(ROOT, "node_modules/@playwright/test/cli.js"), "test", "--config", "pw.config.ts"]);
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = (file: string) => fs.readFileSync(path.join(results, file), "utf8");

describe("test summary", () => {
  it("pytest JUnit XML: counts each test case, names the skipped ones with their message", () => {
    expect(junitTally(read("zoo.xml"))).toEqual({
      passed: 1,
      failed: 1,
      skipped: [
        {
          name: "test_zoo::test_needs_reference_data",
          reason: "reference data not found at /x/<shared> & co (set BEAMLINE_REFERENCE_DATA)",
        },
        { name: "test_zoo::test_gpu", reason: "no GPU" },
      ],
    });
  });

  it("vitest JSON with the skips reporter's list: ctx.skip's note, or what kind of skip it was", () => {
    const tally = vitestTally(read("unit.json"), read("unit-skips.json"));
    expect(tally.passed).toBe(1);
    expect(tally.failed).toBe(1);
    expect(tally.skipped.map((s) => [s.name.replace(/^.*unit\.test\.ts/, "unit.test.ts"), s.reason]).sort()).toEqual([
      ["unit.test.ts > group > is skipped in the code", "skipped, no reason given"],
      ["unit.test.ts > group > is still to write", "todo"],
      ["unit.test.ts > group > skips itself", "Slurm is not installed"],
    ]);
    // Without the reporter's list the names are still there.
    expect(vitestTally(read("unit.json"), null).skipped.map((s) => s.reason)).toContain("skipped, no reason given");
  });

  it("Playwright JSON: the skip annotation's description", () => {
    expect(playwrightTally(read("e2e-report.json"))).toEqual({
      passed: 1,
      failed: 1,
      skipped: [
        { name: "journey.spec.ts > journey > skips itself", reason: "needs the Slurm cluster" },
        { name: "journey.spec.ts > journey > is skipped in the code", reason: "skip, no reason given" },
      ],
    });
  });

  it("prints every skipped test with its reason, and the line CI counts", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/test-summary.ts", results, "3", "1", "lint"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("[model zoo] test_zoo::test_gpu: no GPU");
    expect(r.stdout).toMatch(/\[unit\] .*unit\.test\.ts > group > skips itself: Slurm is not installed/);
    expect(r.stdout).toContain("[browser journeys] journey.spec.ts > journey > skips itself: needs the Slurm cluster");
    expect(r.stdout).toContain("failed checks: lint");
    expect(r.stdout.trim().split("\n").at(-1)).toBe("6 passed, 4 failed, 7 skipped");
  });
});
