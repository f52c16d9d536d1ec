// `npm run demo`: step 1 of Microsoft's managed-identity guide, run offline against the built-in
// emulator, printed as a user would see it in a terminal.
import { rg, startDemo, step, tryItYourself } from "./demo-lib.mjs";

// A role assignment takes 10 s to reach the blob data plane here (up to ~10 minutes in Azure).
const demo = await startDemo({ lroDelayMs: 2000, dataPlaneDelayMs: 10_000 });
const { emulator, asApp } = demo;
async function miauth(...args) {
  return (await demo.miauth(...args)) === 0 ? 0 : 1;
}

let failed = 0;
try {
  process.stdout.write(
    `Local Azure emulator at ${emulator.url} (operator environment: ${emulator.envFile})\n`,
  );
  step("The web app has no managed identity yet");
  failed |= await miauth("show", "--webapp", "msdocs-web", "-g", rg);
  step("Preview the change, then enable the system-assigned identity (az webapp identity assign)");
  failed |= await miauth("enable", "--webapp", "msdocs-web", "-g", rg, "--dry-run", "-o", "yaml");
  failed |= await miauth("enable", "--webapp", "msdocs-web", "-g", rg);
  step("Run it again: nothing is written");
  failed |= await miauth("enable", "--webapp", "msdocs-web", "-g", rg, "--query", "result", "-o", "tsv");
  step("The function app keeps its user-assigned identity");
  failed |= await miauth("enable", "--functionapp", "msdocs-func", "-g", rg, "-o", "yaml");
  step("A VM is a long-running operation (az vm identity assign); just the principal ID");
  failed |= await miauth("enable", "--vm", "msdocs-vm", "-g", rg, "--query", "principalId", "-o", "tsv");
  step("Find the role the app needs (az role definition list --query … --output table)");
  failed |= await miauth(
    "roles",
    "list",
    "--search",
    "Storage Blob",
    "--query",
    "sort_by([].{roleName:roleName, description:description}, &roleName)",
    "--output",
    "table",
  );
  step("Assign it to the web app's new identity at resource-group scope (az role assignment create)");
  failed |= await miauth(
    "assign-role",
    "--webapp",
    "msdocs-web",
    "-g",
    rg,
    "--role",
    "Storage Blob Data Contributor",
  );
  step("Run it again: found, nothing written");
  failed |= await miauth(
    "assign-role",
    "--webapp",
    "msdocs-web",
    "-g",
    rg,
    "--role",
    "Storage Blob Data Contributor",
    "--query",
    "result",
    "-o",
    "tsv",
  );
  step(
    "A person's object ID: ARM names its type (UnmatchedPrincipalType) and miauth assigns again as a User",
  );
  failed |= await miauth(
    "assign-role",
    "--assignee",
    "a7c1e3f5-2b4d-4a6c-8e0f-1a3c5e7b9d2f",
    "-g",
    rg,
    "--role",
    "Reader",
    "--query",
    "{result:result, principalType:principalType}",
    "-o",
    "table",
  );
  step("No object ID at hand: a service principal by display name, looked up in Microsoft Graph");
  failed |= await miauth(
    "assign-role",
    "--assignee",
    "msdocs-ci",
    "-g",
    rg,
    "--role",
    "Reader",
    "--query",
    "{result:result, principalId:principalId, principalType:principalType}",
    "-o",
    "table",
  );
  step("A user-assigned identity's client ID is not its principal ID: refused before any write");
  const clientId = "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b";
  failed |=
    (await demo.miauth("assign-role", "--assignee", clientId, "-g", rg, "--role", "Reader")) === 2 ? 0 : 1;
  step("The web app's identity and its role assignments");
  failed |= await miauth(
    "show",
    "--webapp",
    "msdocs-web",
    "-g",
    rg,
    "--query",
    "roleAssignments[].{role:roleName, scope:scope, inherited:inherited}",
    "-o",
    "table",
  );
  step("Verify as the app, right after the assignment: denied until RBAC reaches the data plane");
  failed |= (await asApp("verify", "--access", "readwrite", "-o", "none")) === 5 ? 0 : 1; // denied, as expected
  step("Verify again, waiting for propagation as a pipeline would (exit 0 when the app can read and write)");
  const verified = await asApp(
    "verify",
    "--access",
    "readwrite",
    "--wait",
    "2m",
    "--query",
    "{result:result, attempts:attempts, identity:identity.credential}",
    "-o",
    "table",
  );
  failed |= verified === 0 ? 0 : 1;
  step("All three at a glance");
  const sub = emulator.subscriptionId;
  const ids = [
    "Microsoft.Web/sites/msdocs-web",
    "Microsoft.Web/sites/msdocs-func",
    "Microsoft.Compute/virtualMachines/msdocs-vm",
  ].map((p) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/${p}`);
  failed |= await miauth(
    "show",
    ...ids.flatMap((id) => ["--ids", id]),
    "--query",
    "[].{kind:kind, identity:type, principalId:principalId}",
    "-o",
    "table",
  );
  tryItYourself();
} finally {
  await emulator.close();
}
// One line on how to go on by hand (the README's Getting started has the rest).
process.stdout.write(
  "\nTry it by hand: npx miauth emulator start --dir .miauth-emulator, then in another terminal: source .miauth-emulator/env.sh && npx miauth show --webapp msdocs-web -g msdocs-sdk-auth-example\n",
);
process.exitCode = failed ? 1 : 0;
