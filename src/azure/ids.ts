// Validation and parsing of what users type: GUIDs, names and ARM resource IDs.
// Everything here is pure and throws UsageError, so bad input never reaches the network.
import { UsageError } from "../errors.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

export function parseGuid(value: string, what: string): string {
  if (!isGuid(value)) throw new UsageError(`${what} '${value}' is not a GUID`);
  return value.toLowerCase();
}

// Naming rules: https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
export function isResourceGroupName(name: string): boolean {
  return /^[\p{L}\p{N}_().-]{1,90}$/u.test(name) && !name.endsWith(".");
}

export function validateResourceGroupName(name: string): string {
  if (!isResourceGroupName(name)) {
    throw new UsageError(
      `invalid resource group name '${name}': use 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'`,
    );
  }
  return name;
}

export function validateSiteName(name: string, flag = "--webapp"): string {
  if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])?$/.test(name)) {
    throw new UsageError(
      `invalid ${flag} name '${name}': use 2-60 letters, digits or hyphens, not starting or ending with a hyphen`,
    );
  }
  if (name.length < 2)
    throw new UsageError(`invalid ${flag} name '${name}': it must be at least 2 characters`);
  return name;
}

export function validateVmName(name: string): string {
  if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9._-]{0,62}[a-zA-Z0-9_])?$/.test(name)) {
    throw new UsageError(
      `invalid --vm name '${name}': use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit and not ending in '.' or '-'`,
    );
  }
  return name;
}

export function validateUserAssignedName(name: string): boolean {
  return /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/.test(name);
}

export interface ResourceId {
  subscriptionId: string;
  resourceGroup: string;
  provider: string; // e.g. Microsoft.Web
  type: string; // e.g. sites
  name: string;
}

/** Parses `/subscriptions/{guid}/resourceGroups/{rg}/providers/{ns}/{type}/{name}` (top-level resources only). */
export function parseResourceId(value: string, what = "resource ID"): ResourceId {
  const match =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([A-Za-z0-9.]+)\/([A-Za-z0-9]+)\/([^/]+)$/i.exec(
      value,
    );
  if (!match) {
    throw new UsageError(
      `invalid ${what} '${value}': expected /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}`,
    );
  }
  const [, subscriptionId = "", resourceGroup = "", provider = "", type = "", name = ""] = match;
  parseGuid(subscriptionId, `subscription in ${what}`);
  validateResourceGroupName(resourceGroup);
  return { subscriptionId: subscriptionId.toLowerCase(), resourceGroup, provider, type, name };
}

export function formatResourceId(id: ResourceId): string {
  return `/subscriptions/${id.subscriptionId}/resourceGroups/${id.resourceGroup}/providers/${id.provider}/${id.type}/${id.name}`;
}

/** A user-assigned identity, given as its full resource ID (what ARM keys userAssignedIdentities by). */
export function parseUserAssignedId(value: string): string {
  const id = parseResourceId(value, "--user-assigned ID");
  if (
    id.provider.toLowerCase() !== "microsoft.managedidentity" ||
    id.type.toLowerCase() !== "userassignedidentities"
  ) {
    throw new UsageError(
      `invalid --user-assigned ID '${value}': expected .../providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}`,
    );
  }
  if (!validateUserAssignedName(id.name)) {
    throw new UsageError(`invalid user-assigned identity name '${id.name}' in '${value}'`);
  }
  return formatResourceId({ ...id, provider: "Microsoft.ManagedIdentity", type: "userAssignedIdentities" });
}

export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
