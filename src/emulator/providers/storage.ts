import { page } from "../arm/paging.js";
import { armError, groupMissing, ok, resourceNotFound } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import type { Ctx, Reply } from "../http.js";
import type { Settings, State, StorageAccount } from "../state.js";
import type { World } from "../world.js";
import { BLOB_CONTAINERS_API_VERSIONS, STORAGE_ACCOUNTS_API_VERSIONS } from "./api-versions.js";

/**
 * `blobGateUrl`: where the blob plane runs, primaryEndpoints.blob names the account on the gate, as
 * Azurite's own path-style URLs do; the other services are not emulated and keep Azure's host names.
 */
export function renderStorageAccount(a: StorageAccount, blobGateUrl?: string): Record<string, unknown> {
  const endpoint = (svc: string) => `https://${a.name}.${svc}.core.windows.net/`;
  const created = "2024-05-01T09:00:00.0000000Z";
  return {
    sku: { name: "Standard_LRS", tier: "Standard" },
    kind: "StorageV2",
    id: a.id,
    name: a.name,
    type: "Microsoft.Storage/storageAccounts",
    location: a.location,
    tags: {},
    properties: {
      dnsEndpointType: "Standard",
      defaultToOAuthAuthentication: false,
      publicNetworkAccess: a.publicNetworkAccess,
      keyCreationTime: { key1: created, key2: created },
      allowCrossTenantReplication: false,
      privateEndpointConnections: [],
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: true,
      networkAcls: { bypass: "AzureServices", virtualNetworkRules: [], ipRules: [], defaultAction: "Allow" },
      supportsHttpsTrafficOnly: true,
      encryption: {
        requireInfrastructureEncryption: false,
        services: {
          file: { keyType: "Account", enabled: true, lastEnabledTime: created },
          blob: { keyType: "Account", enabled: true, lastEnabledTime: created },
        },
        keySource: "Microsoft.Storage",
      },
      accessTier: "Hot",
      provisioningState: "Succeeded",
      creationTime: created,
      primaryEndpoints: {
        dfs: endpoint("dfs"),
        web: `https://${a.name}.z13.web.core.windows.net/`,
        blob: blobGateUrl ? `${blobGateUrl}/${a.name}/` : endpoint("blob"),
        queue: endpoint("queue"),
        table: endpoint("table"),
        file: endpoint("file"),
      },
      primaryLocation: a.location,
      statusOfPrimary: "available",
    },
  };
}

/** A blob container as the Storage RP shows it (BlobContainersGet.json), with only the properties miauth reads none of. */
function renderContainer(a: StorageAccount, name: string): Record<string, unknown> {
  return {
    id: `${a.id}/blobServices/default/containers/${name}`,
    name,
    type: "Microsoft.Storage/storageAccounts/blobServices/containers",
    etag: '"0x8DC6A2B3C4D5E6F"',
    properties: {
      publicAccess: "None",
      leaseStatus: "Unlocked",
      leaseState: "Available",
      lastModifiedTime: "2024-05-01T09:00:00.0000000Z",
      hasImmutabilityPolicy: false,
      hasLegalHold: false,
      deleted: false,
      remainingRetentionDays: 0,
    },
  };
}

export function storageRoutes(state: State, settings: Settings, world: World): Route[] {
  const ACCOUNT =
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}";
  /** The account a container route names, or ARM's 404 for its group or for the account. */
  const accountOf = (ctx: Ctx): StorageAccount | Reply => {
    const { subscriptionId = "", resourceGroupName = "", accountName = "" } = ctx.params;
    const missing = groupMissing(state, subscriptionId, resourceGroupName);
    if (missing) return missing;
    const key = `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/microsoft.storage/storageaccounts/${accountName}`;
    return (
      state.storageAccounts[key.toLowerCase()] ??
      resourceNotFound("Microsoft.Storage/storageAccounts", accountName, resourceGroupName)
    );
  };
  // The blob plane's containers when it runs; else the world's (what the plane would be seeded with).
  const containersOf = (a: StorageAccount): Promise<string[]> =>
    settings.blobContainers?.(a.name) ??
    Promise.resolve(world.storageAccounts?.find((w) => w.name === a.name)?.containers ?? []);
  const isAccount = (v: StorageAccount | Reply): v is StorageAccount => "publicNetworkAccess" in v;
  return [
    {
      method: "GET",
      kind: "arm",
      pattern: "/subscriptions/{subscriptionId}/providers/Microsoft.Storage/storageAccounts",
      apiVersions: STORAGE_ACCOUNTS_API_VERSIONS,
      action: "Microsoft.Storage/storageAccounts/read",
      handler: (ctx) => {
        const { subscriptionId = "" } = ctx.params;
        const prefix = `/subscriptions/${subscriptionId}/`.toLowerCase();
        const items = Object.values(state.storageAccounts)
          .filter((a) => a.id.toLowerCase().startsWith(prefix))
          .map((a) => renderStorageAccount(a, settings.blobGateUrl));
        return page(ctx, state, settings, items);
      },
    },
    {
      method: "GET",
      kind: "arm",
      pattern: `${ACCOUNT}/blobServices/default/containers`,
      apiVersions: BLOB_CONTAINERS_API_VERSIONS,
      provider: { namespace: "Microsoft.Storage", type: "storageAccounts/blobServices/containers" },
      action: "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      handler: async (ctx) => {
        const account = accountOf(ctx);
        if (!isAccount(account)) return account;
        const names = (await containersOf(account)).sort();
        return page(
          ctx,
          state,
          settings,
          names.map((n) => renderContainer(account, n)),
        );
      },
    },
    {
      method: "GET",
      kind: "arm",
      pattern: `${ACCOUNT}/blobServices/default/containers/{containerName}`,
      apiVersions: BLOB_CONTAINERS_API_VERSIONS,
      provider: { namespace: "Microsoft.Storage", type: "storageAccounts/blobServices/containers" },
      action: "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      handler: async (ctx) => {
        const account = accountOf(ctx);
        if (!isAccount(account)) return account;
        const name = ctx.params.containerName ?? "";
        // Container names are lowercase; Storage matches them exactly.
        if (!(await containersOf(account)).includes(name))
          return armError(404, "ContainerNotFound", "The specified container does not exist.");
        return ok(renderContainer(account, name));
      },
    },
    {
      method: "GET",
      kind: "arm",
      pattern:
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{name}",
      apiVersions: STORAGE_ACCOUNTS_API_VERSIONS,
      provider: { namespace: "Microsoft.Storage", type: "storageAccounts" },
      action: "Microsoft.Storage/storageAccounts/read",
      handler: (ctx) => {
        const { subscriptionId = "", resourceGroupName = "", name = "" } = ctx.params;
        const missing = groupMissing(state, subscriptionId, resourceGroupName);
        if (missing) return missing;
        const key = `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/microsoft.storage/storageaccounts/${name}`;
        const account = state.storageAccounts[key.toLowerCase()];
        if (!account) return resourceNotFound("Microsoft.Storage/storageAccounts", name, resourceGroupName);
        return ok(renderStorageAccount(account, settings.blobGateUrl));
      },
    },
  ];
}
