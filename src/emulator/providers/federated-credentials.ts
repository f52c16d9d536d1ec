// Microsoft.ManagedIdentity/userAssignedIdentities/{name}/federatedIdentityCredentials/{name}: PUT, GET, list,
// DELETE (FederatedIdentityCredentials_* in ManagedIdentity.json, 2022-01-31-preview and later). Limits from
// learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations; the error texts of
// those limits are guesses (see README, "Federated identity credentials").
import { page } from "../arm/paging.js";
import { armError, groupMissing, ok, readJson, resourceNotFound } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import type { Ctx, Reply } from "../http.js";
import type { FederatedCredential, Settings, State } from "../state.js";
import { FEDERATED_CREDENTIAL_API_VERSIONS } from "./api-versions.js";

const TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";
/** "A maximum of 20 federated identity credentials can be added to an application or user-assigned managed identity." */
export const MAX_PER_IDENTITY = 20;
/** 3-120 characters, URL-friendly (letters, digits, '-', '_'), starting with a letter or digit. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;

const BASE =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials";

function render(identityId: string, c: FederatedCredential): Record<string, unknown> {
  return {
    id: `${identityId}/federatedIdentityCredentials/${c.name}`,
    name: c.name,
    type: TYPE,
    properties: { issuer: c.issuer, subject: c.subject, audiences: [...c.audiences] },
  };
}

function badRequest(message: string): Reply {
  return armError(400, "BadRequest", message);
}

/** The credential's properties from a PUT body, or the 400 ARM answers (texts are guesses). */
function parseProperties(body: Record<string, unknown>): Omit<FederatedCredential, "name"> | Reply {
  const p = body.properties;
  if (typeof p !== "object" || p === null || Array.isArray(p))
    return badRequest("The request body must contain 'properties'.");
  const { issuer, subject, audiences } = p as Record<string, unknown>;
  if (typeof issuer !== "string" || issuer.length === 0 || issuer.length > 600)
    return badRequest("'issuer' is required and must be at most 600 characters.");
  if (!/^https:\/\//.test(issuer)) return badRequest("'issuer' must be an https URL.");
  if (typeof subject !== "string" || subject.length === 0 || subject.length > 600)
    return badRequest("'subject' is required and must be at most 600 characters.");
  if (
    !Array.isArray(audiences) ||
    audiences.length !== 1 ||
    typeof audiences[0] !== "string" ||
    audiences[0].length === 0 ||
    audiences[0].length > 600
  )
    return badRequest("'audiences' must hold exactly one value of at most 600 characters.");
  return { issuer, subject, audiences: [audiences[0]] };
}

export function federatedCredentialRoutes(state: State, settings: Settings): Route[] {
  const common = {
    kind: "arm" as const,
    apiVersions: FEDERATED_CREDENTIAL_API_VERSIONS,
    provider: {
      namespace: "Microsoft.ManagedIdentity",
      type: "userAssignedIdentities/federatedIdentityCredentials",
    },
  };
  /** The identity the path names (its key and ID), or ARM's 404. */
  const identityOf = (ctx: Ctx): { key: string; id: string } | Reply => {
    const { subscriptionId = "", resourceGroupName = "", resourceName = "" } = ctx.params;
    const missing = groupMissing(state, subscriptionId, resourceGroupName);
    if (missing) return missing;
    const key =
      `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/microsoft.managedidentity/userassignedidentities/${resourceName}`.toLowerCase();
    const u = state.userAssignedIdentities[key];
    if (!u)
      return resourceNotFound(
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        resourceName,
        resourceGroupName,
      );
    return { key, id: u.id };
  };
  const credentialsOf = (key: string) => {
    state.federatedCredentials[key] ??= [];
    return state.federatedCredentials[key];
  };
  const one = `${BASE}/{federatedIdentityCredentialResourceName}`;
  const nameOf = (ctx: Ctx) => ctx.params.federatedIdentityCredentialResourceName ?? "";
  return [
    {
      ...common,
      method: "GET",
      pattern: BASE,
      action: `${TYPE}/read`,
      handler: (ctx) => {
        const identity = identityOf(ctx);
        if ("status" in identity) return identity;
        const value = credentialsOf(identity.key).map((c) => render(identity.id, c));
        return page(ctx, state, settings, value);
      },
    },
    {
      ...common,
      method: "GET",
      pattern: one,
      action: `${TYPE}/read`,
      handler: (ctx) => {
        const identity = identityOf(ctx);
        if ("status" in identity) return identity;
        const name = nameOf(ctx);
        const found = credentialsOf(identity.key).find((c) => c.name.toLowerCase() === name.toLowerCase());
        if (!found) return resourceNotFound(TYPE, name, ctx.params.resourceGroupName ?? "");
        return ok(render(identity.id, found));
      },
    },
    {
      ...common,
      method: "PUT",
      pattern: one,
      action: `${TYPE}/write`,
      handler: (ctx) => {
        const identity = identityOf(ctx);
        if ("status" in identity) return identity;
        const name = nameOf(ctx);
        if (!NAME.test(name))
          return badRequest(
            `The federated identity credential name '${name}' is not valid. It must be 3 to 120 characters long, begin with an alphanumeric character and hold only alphanumerics, hyphens and underscores.`,
          );
        const read = readJson(ctx);
        if ("status" in read) return read;
        const props = parseProperties(read.body);
        if ("status" in props) return props;
        const list = credentialsOf(identity.key);
        const existing = list.find((c) => c.name.toLowerCase() === name.toLowerCase());
        // "The combination of issuer and subject must be unique on the app."
        const twin = list.find(
          (c) => c !== existing && c.issuer === props.issuer && c.subject === props.subject,
        );
        if (twin)
          return badRequest(
            `A federated identity credential with the same issuer and subject already exists: '${twin.name}'.`,
          );
        if (existing) {
          Object.assign(existing, props);
          return ok(render(identity.id, existing));
        }
        if (list.length >= MAX_PER_IDENTITY)
          return badRequest(
            `The user-assigned identity already has the maximum of ${MAX_PER_IDENTITY} federated identity credentials.`,
          );
        const created = { name, ...props };
        list.push(created);
        return { status: 201, body: render(identity.id, created) };
      },
    },
    {
      ...common,
      method: "DELETE",
      pattern: one,
      action: `${TYPE}/delete`,
      handler: (ctx) => {
        const identity = identityOf(ctx);
        if ("status" in identity) return identity;
        const list = credentialsOf(identity.key);
        const at = list.findIndex((c) => c.name.toLowerCase() === nameOf(ctx).toLowerCase());
        if (at === -1) return { status: 204 };
        list.splice(at, 1);
        return { status: 200 };
      },
    },
  ];
}
