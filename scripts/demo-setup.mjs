// `npm run demo:setup`: the same outcome as `npm run demo`, through `miauth setup` alone: its plan, the
// run, the app reaching Blob Storage, and a re-run whose plan is empty.
import { rg, startDemo, step, tryItYourself } from "./demo-lib.mjs";

// A role assignment takes 10 s to reach the blob data plane here (up to ~10 minutes in Azure).
const { emulator, miauth, asApp } = await startDemo({ lroDelayMs: 2000, dataPlaneDelayMs: 10_000 });
const web = ["--webapp", "msdocs-web", "-g", rg, "--storage-account", "msdocsstorage"];
let failed = 0;
const expect = (code, want = 0) => {
  failed |= code === want ? 0 : 1;
};
try {
  process.stdout.write(
    `Local Azure emulator at ${emulator.url} (operator environment: ${emulator.envFile})\n`,
  );
  step("The plan: identity, role on the storage account, app setting (nothing is written)");
  expect(
    await miauth(
      "setup",
      ...web,
      "--dry-run",
      "--query",
      "steps[].{step:step, plan:result, what:detail}",
      "-o",
      "table",
    ),
  );
  step("Run it: the guide in one command");
  expect(await miauth("setup", ...web, "--query", "steps[].{step:step, result:result}", "-o", "table"));
  step("The app reaches Blob Storage once RBAC has propagated (verify as the app, waiting like a pipeline)");
  expect(await asApp("verify", "--access", "readwrite", "--wait", "2m", "--query", "result", "-o", "tsv"));
  step("Run it again: the plan is empty, nothing is written");
  expect(await miauth("setup", ...web, "--query", "result", "-o", "tsv"));
  tryItYourself();
} finally {
  await emulator.close();
}
process.exitCode = failed ? 1 : 0;
