import { page } from "../arm/paging.js";
import { groupMissing, ok, resourceNotFound } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import type { Settings, State, Uami } from "../state.js";
import { USER_ASSIGNED_IDENTITY_API_VERSIONS } from "./api-versions.js";

function render(state: State, u: Uami): Record<string, unknown> {
  return {
    location: u.location,
    tags: {},
    id: u.id,
    name: u.name,
    type: "Microsoft.ManagedIdentity/userAssignedIdentities",
    properties: { tenantId: state.tenantId, principalId: u.principalId, clientId: u.clientId },
  };
}

export function managedIdentityRoutes(state: State, settings: Settings): Route[] {
  const common = {
    method: "GET",
    kind: "arm" as const,
    apiVersions: USER_ASSIGNED_IDENTITY_API_VERSIONS,
    provider: { namespace: "Microsoft.ManagedIdentity", type: "userAssignedIdentities" },
    action: "Microsoft.ManagedIdentity/userAssignedIdentities/read",
  };
  return [
    {
      ...common,
      pattern:
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
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
        return ok(render(state, u));
      },
    },
    {
      // UserAssignedIdentities_ListBySubscription: paged with an absolute nextLink, like every ARM list.
      ...common,
      pattern: "/subscriptions/{subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
      handler: (ctx) => {
        const sub = (ctx.params.subscriptionId ?? "").toLowerCase();
        const value = Object.values(state.userAssignedIdentities)
          .filter((u) => u.subscriptionId.toLowerCase() === sub)
          .map((u) => render(state, u));
        return page(ctx, state, settings, value);
      },
    },
  ];
}
