// Reads the runners' reports (vitest JSON, pytest JUnit XML, Playwright JSON) and prints one line
// a CI log reader can count. Checks that are not test runners (lint, build...) count once each.
import fs from "node:fs";
import path from "node:path";

const [resultsDir, checksPassedArg, checksFailedArg, ...failedStages] = process.argv.slice(2);
let passed = Number(checksPassedArg);
let failed = Number(checksFailedArg);
let skipped = 0;
const lines: string[] = [];

function read(file: string): string | null {
  const full = path.join(resultsDir, file);
  return fs.existsSync(full) ? fs.readFileSync(full, "utf8") : null;
}

for (const file of ["unit.json", "integration.json"]) {
  const text = read(file);
  if (!text) continue;
  const report = JSON.parse(text) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  lines.push(`${file.replace(".json", "")}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}

const zoo = read("zoo.xml");
if (zoo) {
  const suite = zoo.match(/<testsuite [^>]*>/)?.[0] ?? "";
  const attr = (name: string) => Number(suite.match(new RegExp(`${name}="(\\d+)"`))?.[1] ?? 0);
  const zooFailed = attr("failures") + attr("errors");
  passed += attr("tests") - zooFailed - attr("skipped");
  failed += zooFailed;
  skipped += attr("skipped");
  lines.push(`model zoo: ${attr("tests") - zooFailed - attr("skipped")} passed, ${zooFailed} failed`);
}

const e2e = read("e2e-report.json");
if (e2e) {
  const stats = (JSON.parse(e2e) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } }).stats;
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected;
  skipped += stats.skipped;
  lines.push(`browser journeys: ${stats.expected + stats.flaky} passed, ${stats.unexpected} failed`);
}

console.log("\n" + lines.map((l) => `  ${l}`).join("\n"));
if (failedStages.length) console.log(`  failed checks: ${failedStages.join("; ")}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
