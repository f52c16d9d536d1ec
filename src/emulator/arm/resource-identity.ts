import type { Reply } from "../http.js";
import { addRuntimePrincipal, removePrincipal } from "../rbac/directory.js";
import { type IdentityState, newSystemIdentity, type State } from "../state.js";
import { armError } from "./replies.js";

const UAMI_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** "SystemAssigned,UserAssigned" (Container Apps spelling) is accepted on input too. */
function parseType(raw: unknown): { system: boolean; user: boolean } | undefined {
  if (typeof raw !== "string") return undefined;
  const parts = raw
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== "");
  const known = new Set(["none", "systemassigned", "userassigned"]);
  if (parts.length === 0 || parts.some((p) => !known.has(p))) return undefined;
  if (parts.includes("none") && parts.length > 1) return undefined;
  return { system: parts.includes("systemassigned"), user: parts.includes("userassigned") };
}

/**
 * Applies a PATCH/PUT `identity` the way ARM resource providers do: the type decides everything, so
 * `type: SystemAssigned` on a resource with user-assigned identities removes them.
 */
export function applyIdentity(
  state: State,
  current: IdentityState,
  input: unknown,
  resourceId: string,
): IdentityState | Reply {
  if (!isObject(input)) return armError(400, "BadRequest", "The 'identity' property must be an object.");
  const type =
    input.type === undefined
      ? { system: current.system !== undefined, user: current.user.length > 0 }
      : parseType(input.type);
  if (!type) {
    return armError(
      400,
      "BadRequest",
      `The identity type '${String(input.type)}' is not supported. Supported types are 'None', 'SystemAssigned', 'UserAssigned' and 'SystemAssigned, UserAssigned'.`,
    );
  }
  const edits = input.userAssignedIdentities ?? {};
  if (!isObject(edits)) {
    return armError(400, "BadRequest", "The 'userAssignedIdentities' property must be a dictionary.");
  }
  const additions = Object.entries(edits).filter(([, v]) => v !== null);
  if (!type.user && additions.length > 0) {
    return armError(
      400,
      "BadRequest",
      "The identity type must include 'UserAssigned' when 'userAssignedIdentities' are specified.",
    );
  }
  let user: string[] = [];
  if (type.user) {
    const set = new Set(current.user);
    for (const [key, value] of Object.entries(edits)) {
      if (!UAMI_ID.test(key)) {
        return armError(
          400,
          "BadRequest",
          `Invalid user assigned identity resource ID '${key}'. Expected format '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}'.`,
        );
      }
      const k = key.toLowerCase();
      if (value === null) {
        set.delete(k);
        continue;
      }
      if (!state.userAssignedIdentities[k]) {
        const name = key.split("/").pop() ?? key;
        const rg = key.split("/")[4] ?? "";
        const inner = JSON.stringify({
          error: {
            code: "ResourceNotFound",
            message: `The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
          },
        });
        return armError(
          400,
          "FailedIdentityOperation",
          `Identity operation for resource '${resourceId}' failed with error 'Failed to perform resource identity operation. Status: 'NotFound'. Response: '${inner}'.'.`,
        );
      }
      set.add(k);
    }
    user = [...set];
    if (user.length === 0) {
      return armError(
        400,
        "BadRequest",
        "The identity type 'UserAssigned' requires at least one entry in 'userAssignedIdentities'.",
      );
    }
  }
  // Re-enabling after a disable creates a new service principal, which Entra ID replicates with a delay;
  // disabling deletes the old one.
  const system = type.system ? (current.system ?? newSystemIdentity()) : undefined;
  if (system && !current.system)
    addRuntimePrincipal(state, system.principalId, resourceId.split("/").pop() ?? "", system.clientId);
  if (current.system && !system) removePrincipal(state, current.system.principalId);
  return system ? { system, user } : { user };
}

export function identityType(identity: IdentityState): string {
  if (identity.system && identity.user.length > 0) return "SystemAssigned, UserAssigned";
  if (identity.system) return "SystemAssigned";
  if (identity.user.length > 0) return "UserAssigned";
  return "None";
}

/** The response form; undefined when there is no identity (the property is then absent). */
export function renderIdentity(
  state: State,
  identity: IdentityState,
  style: "web" | "compute",
): Record<string, unknown> | undefined {
  const type = identityType(identity);
  if (type === "None") return undefined;
  const out: Record<string, unknown> = { type };
  if (identity.system) {
    out.tenantId = state.tenantId;
    out.principalId = identity.system.principalId;
  }
  if (identity.user.length > 0) {
    out.userAssignedIdentities = Object.fromEntries(
      identity.user.map((key) => {
        const u = state.userAssignedIdentities[key];
        return [u?.id ?? key, { principalId: u?.principalId, clientId: u?.clientId }];
      }),
    );
  } else if (style === "web") {
    out.userAssignedIdentities = null;
  }
  return out;
}

export function cloneIdentity(identity: IdentityState): IdentityState {
  return identity.system
    ? { system: { ...identity.system }, user: [...identity.user] }
    : { user: [...identity.user] };
}
