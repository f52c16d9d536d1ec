// Prints vitest's JSON reports (one per Node version CI ran) as one line: "N passed, N failed"
// (", N skipped" when any). A missing report counts as one failure.
import { existsSync, readFileSync } from "node:fs";

const files = process.argv.length > 2 ? process.argv.slice(2) : ["test-results/vitest.json"];
let passed = 0;
let failed = 0;
let skipped = 0;
let total = 0;
for (const file of files) {
  if (!existsSync(file)) {
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  // A file that failed outside its tests (a failing beforeAll, an import error) counts as a failure even
  // though none of its tests failed: they were skipped or never ran.
  const brokenFiles = (r.testResults ?? []).filter(
    (f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"),
  ).length;
  passed += r.numPassedTests;
  failed += r.numFailedTests + brokenFiles;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  total += r.numTotalTests;
  if (r.numTotalTests === 0) failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || total === 0 ? 1 : 0);
