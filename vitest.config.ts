import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/network-guard.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: each e2e file starts its own emulator and spawns CLI processes.
    maxWorkers: 2,
    // The JSON report is what .ci/run reads to print the totals line (one file per Node version).
    reporters: [
      "default",
      ["json", { outputFile: process.env.MIAUTH_TEST_REPORT ?? "test-results/vitest.json" }],
    ],
  },
});
