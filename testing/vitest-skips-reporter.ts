// A vitest reporter that writes every skipped test with its reason to $VITEST_SKIPS_FILE, for the test
// summary (scripts/test-summary.ts): vitest's JSON report names skipped tests but drops ctx.skip(note).
import fs from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

export interface SkippedTest {
  /** Absolute, as in vitest's JSON report. */
  file: string;
  name: string;
  mode: string;
  note: string | null;
}

export default class SkipsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const out = process.env.VITEST_SKIPS_FILE;
    if (!out) return;
    const skipped: SkippedTest[] = modules.flatMap((module) =>
      [...module.children.allTests("skipped")].map((test) => {
        const result = test.result();
        return {
          file: module.moduleId,
          name: test.fullName,
          mode: test.options.mode,
          note: result.state === "skipped" ? (result.note ?? null) : null,
        };
      }),
    );
    fs.writeFileSync(out, JSON.stringify(skipped, null, 2));
  }
}
