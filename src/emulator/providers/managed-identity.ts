import { randomUUID } from "node:crypto";
import { page } from "../arm/paging.js";
import { armError, groupMissing, isReply, ok, readJson, resourceNotFound } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import type { Ctx, Reply } from "../http.js";
import { addRuntimePrincipal, removePrincipal } from "../rbac/directory.js";
import { resourceId, type Settings, type State, type Uami } from "../state.js";
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

const ONE =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}";
// ManagedIdentity.json's resourceName pattern (2023-01-31 and later).
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/;

function keyOf(ctx: Ctx): string {
  const { subscriptionId = "", resourceGroupName = "", name = "" } = ctx.params;
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/microsoft.managedidentity/userassignedidentities/${name}`.toLowerCase();
}

/**
 * UserAssignedIdentities_CreateOrUpdate: 201 when created, 200 when it was there (the spec's two
 * responses). A new identity gets a principal and a client ID of its own, known to the directory after
 * the replication delay like a new system identity. A different location for an existing identity is
 * ARM's 400 InvalidResourceLocation (ARM's "Resolve errors for resource location" page; the status is a
 * **guess**: reports show 400 and 409).
 */
function createOrUpdate(state: State, ctx: Ctx): Reply {
  const { subscriptionId = "", resourceGroupName = "", name = "" } = ctx.params;
  const missing = groupMissing(state, subscriptionId, resourceGroupName);
  if (missing) return missing;
  const read = readJson(ctx);
  if (isReply(read)) return read;
  const location = read.body.location;
  if (typeof location !== "string" || location.trim() === "")
    return armError(400, "LocationRequired", "The location property is required for this definition.");
  const existing = state.userAssignedIdentities[keyOf(ctx)];
  if (existing) {
    if (norm(existing.location) !== norm(location))
      return armError(
        400,
        "InvalidResourceLocation",
        `The resource '${existing.name}' already exists in location '${existing.location}' in resource group '${existing.resourceGroup}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
      );
    return ok(render(state, existing));
  }
  if (!NAME.test(name))
    return armError(
      400,
      "InvalidResourceName",
      `Resource name ${name} is invalid. The name can contain only letters, numbers, underscores and hyphens, must start with a letter or number, and must be 3 to 128 characters long.`,
    );
  const group =
    state.resourceGroups[
      `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}`.toLowerCase()
    ];
  const u: Uami = {
    id: resourceId(
      subscriptionId,
      group?.name ?? resourceGroupName,
      "Microsoft.ManagedIdentity/userAssignedIdentities",
      name,
    ),
    subscriptionId,
    resourceGroup: group?.name ?? resourceGroupName,
    name,
    location,
    principalId: randomUUID(),
    clientId: randomUUID(),
  };
  state.userAssignedIdentities[keyOf(ctx)] = u;
  addRuntimePrincipal(state, u.principalId, u.name, u.clientId);
  return { status: 201, body: render(state, u) };
}

function norm(location: string): string {
  return location.replace(/\s+/g, "").toLowerCase();
}

/**
 * UserAssignedIdentities_Delete: 200 when deleted, 204 when there was nothing (the spec's two responses).
 * Resources that still list the identity keep it, as in Azure; its tokens stop (the subject is gone).
 */
function remove(state: State, ctx: Ctx): Reply {
  const { subscriptionId = "", resourceGroupName = "" } = ctx.params;
  const missing = groupMissing(state, subscriptionId, resourceGroupName);
  if (missing) return missing;
  const u = state.userAssignedIdentities[keyOf(ctx)];
  if (!u) return { status: 204 };
  delete state.userAssignedIdentities[keyOf(ctx)];
  // Its federated credentials are child resources: they go with it.
  delete state.federatedCredentials[u.id.toLowerCase()];
  removePrincipal(state, u.principalId);
  return { status: 200 };
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
      pattern: ONE,
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
      ...common,
      method: "PUT",
      pattern: ONE,
      action: "Microsoft.ManagedIdentity/userAssignedIdentities/write",
      handler: (ctx) => createOrUpdate(state, ctx),
    },
    {
      ...common,
      method: "DELETE",
      pattern: ONE,
      action: "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
      handler: (ctx) => remove(state, ctx),
    },
    {
      // UserAssignedIdentities_ListByResourceGroup.
      ...common,
      pattern:
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
      handler: (ctx) => {
        const { subscriptionId = "", resourceGroupName = "" } = ctx.params;
        const missing = groupMissing(state, subscriptionId, resourceGroupName);
        if (missing) return missing;
        const value = Object.values(state.userAssignedIdentities)
          .filter(
            (u) =>
              u.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
              u.resourceGroup.toLowerCase() === resourceGroupName.toLowerCase(),
          )
          .map((u) => render(state, u));
        return page(ctx, state, settings, value);
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
