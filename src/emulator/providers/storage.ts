import { groupMissing, ok, resourceNotFound } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import type { Settings, State, StorageAccount } from "../state.js";
import { STORAGE_ACCOUNTS_API_VERSIONS } from "./api-versions.js";

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

export function storageRoutes(state: State, settings: Pick<Settings, "blobGateUrl">): Route[] {
  return [
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
