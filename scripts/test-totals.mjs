// Prints vitest's JSON reports (one per Node version CI ran) as one line: "N passed, N failed"
// (", N skipped" when any). A missing report counts as one failure.
import { existsSync, readFileSync } from "node:fs";

// --passed=N / --failed=N add checks CI ran outside vitest (the demo on the lowest Node).
const args = process.argv.slice(2);
const extra = (name) =>
  args.filter((a) => a.startsWith(`--${name}=`)).reduce((n, a) => n + Number(a.split("=")[1]), 0);
const reports = args.filter((a) => !a.startsWith("--"));
const files = reports.length > 0 ? reports : ["test-results/vitest.json"];
let passed = extra("passed");
let failed = extra("failed");
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
