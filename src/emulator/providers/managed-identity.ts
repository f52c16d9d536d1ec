import { groupMissing, ok, resourceNotFound } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import type { State } from "../state.js";

export const MANAGED_IDENTITY_API_VERSIONS = [
  "2018-11-30",
  "2023-01-31",
  "2023-07-31-preview",
  "2024-11-30",
] as const;

export function managedIdentityRoutes(state: State): Route[] {
  return [
    {
      method: "GET",
      kind: "arm",
      pattern:
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
      apiVersions: MANAGED_IDENTITY_API_VERSIONS,
      provider: { namespace: "Microsoft.ManagedIdentity", type: "userAssignedIdentities" },
      action: "Microsoft.ManagedIdentity/userAssignedIdentities/read",
      handler: (ctx) => {
        const { subscriptionId = "", resourceGroupName = "", name = "" } = ctx.params;
        const missing = groupMissing(state, subscriptionId, resourceGroupName);
        if (missing) return missing;
        const key = `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/microsoft.managedidentity/userassignedidentities/${name}`;
        const u = state.userAssignedIdentities[key.toLowerCase()];
        if (!u)
          return resourceNotFound(
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            name,
            resourceGroupName,
          );
        return ok({
          location: u.location,
          tags: {},
          id: u.id,
          name: u.name,
          type: "Microsoft.ManagedIdentity/userAssignedIdentities",
          properties: { tenantId: state.tenantId, principalId: u.principalId, clientId: u.clientId },
        });
      },
    },
  ];
}
