// The Azure SDKs alone: a command's requests made through the same published clients miauth uses, with
// nothing of miauth (no commander, no checks, no report), bundled by scripts/bench.mjs with the CLI's own
// bundle options and start-up patches (scripts/bundle-options.mjs). Its time against bench/floor.mjs's
// (node:https alone) is what the SDKs cost; miauth's against it is what miauth adds.
// Usage: node sdk-floor-run.mjs site|verify RESOURCE_GROUP SITE [ACCOUNT], with the CLI's environment.
// Each package is imported when needed, after the token request has gone out (as miauth does), so that
// this is a floor: no code is loaded before the first request that the request does not need.
const [mode, group, site, account] = process.argv.slice(2);
const endpoint = process.env.MIAUTH_ARM_ENDPOINT;
const sub = process.env.AZURE_SUBSCRIPTION_ID;
const scope = "https://management.azure.com/.default";
if (
  !endpoint ||
  !sub ||
  !group ||
  !site ||
  !["site", "verify"].includes(mode) ||
  (mode === "verify" && !account)
)
  throw new Error("usage: site|verify GROUP SITE [ACCOUNT]");

// As miauth does: the token asked for at once (its answer given to whoever asks while it is on its way,
// not another request; then the credential's own cache answers), one connection pool for every client.
const { DefaultAzureCredential } = await import("@azure/identity");
const dac = new DefaultAzureCredential();
let pending = dac.getToken(scope).finally(() => {
  pending = null;
});
pending.catch(() => {});
const credential = { getToken: (scopes, options) => pending ?? dac.getToken(scopes, options) };
const { createDefaultHttpClient } = await import("@azure/core-rest-pipeline");
const httpClient = createDefaultHttpClient();
const siteRead = (async () => {
  const { createWebSiteManagement } = await import("@azure/arm-appservice/api");
  const { get } = await import("@azure/arm-appservice/api/webApps");
  const web = createWebSiteManagement(credential, sub, {
    endpoint,
    credentials: { scopes: [scope] },
    httpClient,
  });
  return get(web, group, site);
})();

if (mode === "verify") {
  const classic = { endpoint, credentialScopes: [scope], httpClient };
  // The site and the account at once, then the principal's assignments, then each role's definition.
  const { StorageManagementClient } = await import("@azure/arm-storage");
  const accountRead = new StorageManagementClient(credential, sub, classic).storageAccounts.getProperties(
    group,
    account,
  );
  const { AuthorizationManagementClient } = await import("@azure/arm-authorization");
  const auth = new AuthorizationManagementClient(credential, sub, classic);
  const [app] = await Promise.all([siteRead, accountRead]);
  const accountScope = `subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.Storage/storageAccounts/${account}`;
  const assignments = [];
  for await (const a of auth.roleAssignments.listForScope(accountScope, {
    filter: `principalId eq '${app.identity?.principalId}'`,
  }))
    assignments.push(a);
  const ids = new Set(assignments.map((a) => (a.roleDefinitionId ?? "").replace(/^\/+/, "")));
  await Promise.all([...ids].map((id) => auth.roleDefinitions.getById(id)));
} else await siteRead;
