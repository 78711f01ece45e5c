// Reads the runners' reports (vitest JSON with the skips reporter's list, pytest JUnit XML, Playwright
// JSON) and prints what was skipped and why, then one line a CI log reader can count. Checks that are
// not test runners (lint, build...) count once each.
//   node --import tsx scripts/test-summary.ts RESULTS_DIR CHECKS_PASSED CHECKS_FAILED [FAILED_STAGE...]
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { SkippedTest } from "@/testing/vitest-skips-reporter";

export interface Skip {
  name: string;
  reason: string;
}

export interface Tally {
  passed: number;
  failed: number;
  skipped: Skip[];
}

const NO_REASON = "no reason given";

/** Vitest's JSON report; `skipsJson`: testing/vitest-skips-reporter.ts's list (reasons), when it ran. */
export function vitestTally(reportJson: string, skipsJson: string | null): Tally {
  const report = JSON.parse(reportJson) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: { name: string; assertionResults: { ancestorTitles: string[]; title: string; status: string }[] }[];
  };
  const notes = skipsJson ? (JSON.parse(skipsJson) as SkippedTest[]) : [];
  const skipped = report.testResults.flatMap((file) =>
    file.assertionResults
      .filter((t) => t.status !== "passed" && t.status !== "failed")
      .map((t) => {
        const fullName = [...t.ancestorTitles, t.title].join(" > "); // as the reporter's TestCase.fullName
        const known = notes.find((n) => n.name === fullName && n.file === file.name);
        const reason = known?.note ?? (t.status === "todo" || known?.mode === "todo" ? "todo" : `${t.status}, ${NO_REASON}`);
        return { name: `${path.relative(process.cwd(), file.name)} > ${fullName}`, reason };
      }),
  );
  return { passed: report.numPassedTests, failed: report.numFailedTests, skipped };
}

const xmlText = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
const attribute = (tag: string, name: string) => {
  const value = tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
  return value === undefined ? undefined : xmlText(value);
};

/** A JUnit XML report as pytest writes it: each <testcase>, with <failure>/<error>/<skipped message=...> inside. */
export function junitTally(xml: string): Tally {
  const tally: Tally = { passed: 0, failed: 0, skipped: [] };
  for (const match of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const [, attrs, , body = ""] = match;
    const open = `<testcase ${attrs}>`;
    const name = `${attribute(open, "classname") ?? ""}::${attribute(open, "name") ?? ""}`;
    if (/<(failure|error)\b/.test(body)) tally.failed++;
    else if (/<skipped\b/.test(body)) {
      const tag = body.match(/<skipped\b[^>]*>/)![0];
      tally.skipped.push({ name, reason: attribute(tag, "message") ?? NO_REASON });
    } else tally.passed++;
  }
  return tally;
}

interface PlaywrightSuite {
  title: string;
  specs?: {
    title: string;
    tests: {
      status: string;
      projectName?: string;
      annotations?: { type: string; description?: string }[];
      results?: { annotations?: { type: string; description?: string }[] }[];
    }[];
  }[];
  suites?: PlaywrightSuite[];
}

/** Playwright's JSON report: a skipped test's reason is its skip/fixme annotation (test.skip(condition, reason)). */
export function playwrightTally(reportJson: string): Tally {
  const tally: Tally = { passed: 0, failed: 0, skipped: [] };
  const visit = (suite: PlaywrightSuite, titles: string[]) => {
    const path = suite.title ? [...titles, suite.title] : titles;
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) {
        if (test.status === "expected" || test.status === "flaky") tally.passed++;
        else if (test.status === "unexpected") tally.failed++;
        else {
          const annotations = [...(test.annotations ?? []), ...(test.results ?? []).flatMap((r) => r.annotations ?? [])];
          const why = annotations.find((a) => a.type === "skip" || a.type === "fixme");
          tally.skipped.push({
            name: [...path, spec.title].join(" > "),
            reason: why?.description ?? (why ? `${why.type}, ${NO_REASON}` : NO_REASON),
          });
        }
      }
    }
    for (const child of suite.suites ?? []) visit(child, path);
  };
  for (const suite of (JSON.parse(reportJson) as { suites: PlaywrightSuite[] }).suites) visit(suite, []);
  return tally;
}

function main() {
  const [resultsDir, checksPassedArg, checksFailedArg, ...failedStages] = process.argv.slice(2);
  const read = (file: string) => {
    const full = path.join(resultsDir, file);
    return fs.existsSync(full) ? fs.readFileSync(full, "utf8") : null;
  };
  const tallies: [string, Tally][] = [];
  for (const [label, name] of [
    ["unit", "unit"],
    ["integration", "integration"],
  ]) {
    const report = read(`${name}.json`);
    if (report) tallies.push([label, vitestTally(report, read(`${name}-skips.json`))]);
  }
  const zoo = read("zoo.xml");
  if (zoo) tallies.push(["model zoo", junitTally(zoo)]);
  const e2e = read("e2e-report.json");
  if (e2e) tallies.push(["browser journeys", playwrightTally(e2e)]);

  let passed = Number(checksPassedArg);
  let failed = Number(checksFailedArg);
  const skipped: string[] = [];
  console.log("");
  for (const [label, tally] of tallies) {
    passed += tally.passed;
    failed += tally.failed;
    for (const skip of tally.skipped) skipped.push(`    [${label}] ${skip.name}: ${skip.reason}`);
    console.log(
      `  ${label}: ${tally.passed} passed, ${tally.failed} failed${tally.skipped.length ? `, ${tally.skipped.length} skipped` : ""}`,
    );
  }
  if (failedStages.length) console.log(`  failed checks: ${failedStages.join("; ")}`);
  if (skipped.length) console.log(`  skipped:\n${skipped.join("\n")}`);
  console.log(`${passed} passed, ${failed} failed${skipped.length ? `, ${skipped.length} skipped` : ""}`);
  process.exit(failed > 0 ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
