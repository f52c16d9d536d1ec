import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/network-guard.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each e2e file starts its own emulator and spawns CLI processes, but much of an e2e test is spent
    // waiting on the CLI's own retry backoff and --timeout deadlines: on two cores, four files at a time
    // overlap those waits (measured: 140 s with two workers, 96 s with four, on a shared 2-core machine).
    maxWorkers: 4,
    // The JSON report is what .ci/run reads to print the totals line (one file per Node version).
    reporters: [
      "default",
      ["json", { outputFile: process.env.MIAUTH_TEST_REPORT ?? "test-results/vitest.json" }],
    ],
  },
});
