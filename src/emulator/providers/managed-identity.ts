import { groupMissing, ok, resourceNotFound } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import type { State } from "../state.js";
import { USER_ASSIGNED_IDENTITY_API_VERSIONS } from "./api-versions.js";

export function managedIdentityRoutes(state: State): Route[] {
  return [
    {
      method: "GET",
      kind: "arm",
      pattern:
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
      apiVersions: USER_ASSIGNED_IDENTITY_API_VERSIONS,
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
