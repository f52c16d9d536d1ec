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

/**
 * A deployment slot name: letters, digits and hyphens, not starting or ending with a hyphen (App Service
 * builds the slot's host name `{app}-{slot}` from it). "production" is the app itself, not a slot.
 */
export function validateSlotName(name: string, flag: string): string {
  if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,57}[a-zA-Z0-9])?$/.test(name)) {
    throw new UsageError(
      `invalid ${flag} name '${name}': use 1-59 letters, digits or hyphens, not starting or ending with a hyphen`,
    );
  }
  if (name.toLowerCase() === "production")
    throw new UsageError(`${flag} '${name}' is the app itself: leave out the slot`);
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

/** A container app name: 2-32 lower-case letters, digits or hyphens, starting with a letter, no "--". */
export function validateContainerAppName(name: string, flag = "--containerapp"): string {
  if (!/^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])$/.test(name) || name.includes("--")) {
    throw new UsageError(
      `invalid ${flag} name '${name}': use 2-32 lower-case letters, digits or hyphens, starting with a letter, not ending with a hyphen, without '--'`,
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

// What a URL would read as syntax rather than as part of a name, and what no ARM name contains:
// `/` and `\` (a `/` to WHATWG URLs), `%` (an escape: `%2e%2e` is `..`, `%2f` is `/`), `?` and `#`
// (query, fragment), quotes and brackets, whitespace, control and invisible format characters.
const UNSAFE_CHAR = /[/\\%?#"<>`{}|^\s\p{C}]/u;

/** A resource provider namespace, e.g. Microsoft.Storage. */
export const NAMESPACE = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)+$/;
/** A resource type segment, e.g. storageAccounts. */
export const RESOURCE_TYPE = /^[A-Za-z][A-Za-z0-9]*$/;

function describeChar(c: string): string {
  return /^[\x21-\x7e]$/.test(c)
    ? `'${c}'`
    : `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Why a path segment is not a plain name (so a URL layer could reinterpret it); undefined if it is one. */
export function segmentProblem(segment: string): string | undefined {
  const problem = (s: string) => {
    if (s === "") return "it has an empty segment";
    if (/^\.+$/.test(s)) return `'${s}' is not a name`;
    const bad = UNSAFE_CHAR.exec(s);
    return bad ? `it contains ${describeChar(bad[0])}` : undefined;
  };
  // Fullwidth `．．` or `／` become `..` and `/` under compatibility normalization: never risk a server
  // that folds them.
  const folded = segment.normalize("NFKC");
  return problem(segment) ?? (folded === segment ? undefined : problem(folded)?.concat(" once normalized"));
}

/**
 * Splits an ARM path (`/a/b/c`, one trailing `/` allowed) into its segments, each checked by
 * segmentProblem; `bad(why)` builds the error to throw.
 */
export function pathSegments(value: string, bad: (why: string) => Error): string[] {
  if (!value.startsWith("/")) throw bad("it must start with /");
  const body = value.endsWith("/") && value.length > 1 ? value.slice(1, -1) : value.slice(1);
  const parts = body.split("/");
  for (const part of parts) {
    const why = segmentProblem(part);
    if (why) throw bad(why);
  }
  return parts;
}

/** Parses `/subscriptions/{guid}/resourceGroups/{rg}/providers/{ns}/{type}/{name}` (top-level resources only). */
export function parseResourceId(value: string, what = "resource ID"): ResourceId {
  const expected = "expected /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}";
  const bad = (why: string) => new UsageError(`invalid ${what} '${value}': ${why}; ${expected}`);
  const parts = pathSegments(value, bad);
  const [
    subs,
    subscriptionId = "",
    groups,
    resourceGroup = "",
    providers,
    provider = "",
    type = "",
    name = "",
  ] = parts;
  if (
    parts.length !== 8 ||
    subs?.toLowerCase() !== "subscriptions" ||
    groups?.toLowerCase() !== "resourcegroups" ||
    providers?.toLowerCase() !== "providers"
  ) {
    throw new UsageError(`invalid ${what} '${value}': ${expected}`);
  }
  if (!isGuid(subscriptionId)) throw bad("the subscription is not a GUID");
  if (!isResourceGroupName(resourceGroup)) throw bad(`invalid resource group name '${resourceGroup}'`);
  if (!NAMESPACE.test(provider)) throw bad(`'${provider}' is not a provider namespace`);
  if (!RESOURCE_TYPE.test(type)) throw bad(`'${type}' is not a resource type`);
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

/** A user-assigned identity as typed: its full resource ID, or its name (and the group it is in, if given). */
export type UserAssignedRef = { id: string } | { name: string; resourceGroup?: string };

/**
 * --user-assigned: a full resource ID (parsed and rebuilt), or a name, in the target's resource group or
 * in `identityGroup` (--identity-resource-group), as az's `--identities` takes one.
 */
export function parseUserAssignedRef(value: string, identityGroup?: string): UserAssignedRef {
  if (value.startsWith("/")) return { id: parseUserAssignedId(value) };
  if (!validateUserAssignedName(value)) {
    throw new UsageError(
      `invalid --user-assigned '${value}': give a user-assigned identity's name (3-128 letters, digits, '-' or '_', starting with a letter or digit) or its full resource ID`,
    );
  }
  return identityGroup === undefined
    ? { name: value }
    : { name: value, resourceGroup: validateResourceGroupName(identityGroup) };
}

/** The --user-assigned values; --identity-resource-group only with at least one name. */
export function parseUserAssignedRefs(
  values: string[],
  identityGroup: string | undefined,
): UserAssignedRef[] {
  const refs = values.map((v) => parseUserAssignedRef(v, identityGroup));
  if (identityGroup !== undefined && !refs.some((r) => "name" in r)) {
    throw new UsageError(
      "--identity-resource-group is for --user-assigned identities given by name: a full ID names its group",
    );
  }
  return refs;
}

/** The resource ID of a user-assigned identity for a target in `resourceGroup` of `subscriptionId`. */
export function userAssignedIdFor(
  ref: UserAssignedRef,
  subscriptionId: string,
  resourceGroup: string,
): string {
  if ("id" in ref) return ref.id;
  return formatResourceId({
    subscriptionId,
    resourceGroup: ref.resourceGroup ?? resourceGroup,
    provider: "Microsoft.ManagedIdentity",
    type: "userAssignedIdentities",
    name: ref.name,
  });
}

export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function validateStorageAccountName(name: string | undefined, flag: string): string {
  if (name === undefined || name === "")
    throw new UsageError(`no storage account: use ${flag} NAME or set AZURE_STORAGE_ACCOUNT_NAME`);
  if (!/^[a-z0-9]{3,24}$/.test(name))
    throw new UsageError(`invalid storage account name '${name}': use 3-24 lowercase letters and digits`);
  return name;
}

export function validateContainerName(name: string): string {
  if (!/^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/.test(name) && name !== "$root") {
    throw new UsageError(
      `invalid --container '${name}': use 3-63 lowercase letters, digits and single hyphens`,
    );
  }
  return name;
}

/** A Microsoft.Storage/storageAccounts resource ID, rebuilt from its parts. */
export function parseStorageAccountId(value: string, flag: string): string {
  const id = parseResourceId(value, flag);
  if (`${id.provider}/${id.type}`.toLowerCase() !== "microsoft.storage/storageaccounts") {
    throw new UsageError(
      `${flag} must be a Microsoft.Storage/storageAccounts ID, got ${id.provider}/${id.type}`,
    );
  }
  validateStorageAccountName(id.name, flag);
  return formatResourceId(id);
}
