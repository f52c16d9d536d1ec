import { armError, groupMissing, ok } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import type { Ctx } from "../http.js";
import { hasAnyAssignment } from "../rbac/evaluate.js";
import type { ResourceGroup, State } from "../state.js";
import { RESOURCE_GROUP_API_VERSIONS, SUBSCRIPTION_API_VERSIONS } from "./api-versions.js";

function renderSubscription(state: State, s: { subscriptionId: string; displayName: string }) {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: state.tenantId,
    displayName: s.displayName,
    state: "Enabled",
    subscriptionPolicies: {
      locationPlacementId: "Public_2014-09-01",
      quotaId: "PayAsYouGo_2014-09-01",
      spendingLimit: "Off",
    },
  };
}

function renderGroup(g: ResourceGroup) {
  return {
    id: g.id,
    name: g.name,
    type: "Microsoft.Resources/resourceGroups",
    location: g.location,
    properties: { provisioningState: "Succeeded" },
  };
}

function visible(state: State, ctx: Ctx) {
  return state.subscriptions.filter((s) =>
    hasAnyAssignment(state, ctx.principalId ?? "", `/subscriptions/${s.subscriptionId}`),
  );
}

export function resourceRoutes(state: State): Route[] {
  const subs = { kind: "arm" as const, method: "GET", apiVersions: SUBSCRIPTION_API_VERSIONS };
  const groups = { kind: "arm" as const, method: "GET", apiVersions: RESOURCE_GROUP_API_VERSIONS };
  return [
    {
      ...subs,
      pattern: "/subscriptions",
      handler: (ctx) =>
        ok({
          count: { type: "Total", value: visible(state, ctx).length },
          value: visible(state, ctx).map((s) => renderSubscription(state, s)),
        }),
    },
    {
      ...subs,
      pattern: "/subscriptions/{subscriptionId}",
      handler: (ctx) => {
        const id = (ctx.params.subscriptionId ?? "").toLowerCase();
        const sub = visible(state, ctx).find((s) => s.subscriptionId.toLowerCase() === id);
        if (!sub)
          return armError(
            404,
            "SubscriptionNotFound",
            `The subscription '${ctx.params.subscriptionId}' could not be found.`,
          );
        return ok(renderSubscription(state, sub));
      },
    },
    {
      ...groups,
      pattern: "/subscriptions/{subscriptionId}/resourceGroups",
      action: "Microsoft.Resources/subscriptions/resourceGroups/read",
      handler: (ctx) => {
        const prefix = `/subscriptions/${ctx.params.subscriptionId}/`.toLowerCase();
        const value = Object.entries(state.resourceGroups)
          .filter(([key]) => key.startsWith(prefix))
          .map(([, g]) => renderGroup(g));
        return ok({ value });
      },
    },
    {
      ...groups,
      pattern: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
      action: "Microsoft.Resources/subscriptions/resourceGroups/read",
      handler: (ctx) => {
        const { subscriptionId = "", resourceGroupName = "" } = ctx.params;
        const missing = groupMissing(state, subscriptionId, resourceGroupName);
        if (missing) return missing;
        const g =
          state.resourceGroups[
            `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}`.toLowerCase()
          ];
        return g ? ok(renderGroup(g)) : (missing ?? ok({}));
      },
    },
  ];
}
