import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    setupFiles: ["test/setup/network-guard.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each e2e file starts its own emulator and spawns CLI processes, but much of an e2e test is spent
    // waiting on the CLI's own retry backoff and --timeout deadlines: on two cores, six files at a time
    // overlap those waits (measured on this 2-core machine with the bundled CLI: 63 s with four
    // workers, 53 s with six; the files that wait longest are split so they can run side by side).
    maxWorkers: 6,
    // The JSON report is what .ci/run reads to print the totals line (one file per Node version).
    reporters: [
      "default",
      ["json", { outputFile: process.env.MIAUTH_TEST_REPORT ?? "test-results/vitest.json" }],
    ],
    projects: [
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          // An e2e file drives the CLI in child processes and holds no SDK in its own process, so a
          // worker keeps the modules it loaded (the emulator's TypeScript, the helpers) from one file to
          // the next instead of transforming and evaluating them again for each file.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "in-process",
          include: ["test/{unit,output,emulator}/**/*.test.ts"],
          // These use the Azure SDKs in the test's own process, and @azure/identity (MSAL) keeps
          // module-level state (the managed identity source it detected): each file starts afresh.
          isolate: true,
        },
      },
    ],
  },
});
