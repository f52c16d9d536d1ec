// ARM scopes: where a role is assigned. Pure validation and comparison.
import { UsageError } from "../errors.js";
import { isGuid, isResourceGroupName, NAMESPACE, pathSegments, RESOURCE_TYPE } from "./ids.js";

export type ScopeLevel = "root" | "managementGroup" | "subscription" | "resourceGroup" | "resource";

const SCOPE_FORMS =
  "expected /subscriptions/{id}[/resourceGroups/{group}[/providers/{namespace}/{type}/{name}…]]";

/**
 * Parses a scope into its segments and rebuilds it: the result, and only the result, is what is sent.
 * Nothing a URL layer would reinterpret (`..`, `%2e`, `?`, `#`, `\`, `//`) survives as text.
 */
export function parseScope(value: string, flag = "--scope"): string {
  const bad = (why: string) => new UsageError(`invalid ${flag} '${value}': ${why}; ${SCOPE_FORMS}`);
  if (value === "/") throw bad("the root scope '/' is not supported");
  const parts = pathSegments(value, bad);
  const [first = "", second = "", third = "", fourth = ""] = parts;
  if (first.toLowerCase() === "providers") {
    if (
      parts.length === 4 &&
      /^microsoft\.management$/i.test(second) &&
      /^managementgroups$/i.test(third) &&
      isResourceGroupName(fourth)
    ) {
      return `/providers/Microsoft.Management/managementGroups/${fourth}`;
    }
    throw bad("unsupported provider-level scope");
  }
  if (first.toLowerCase() !== "subscriptions" || parts.length < 2)
    throw bad("it must start with /subscriptions/{id}");
  if (!isGuid(second)) throw bad("the subscription is not a GUID");
  const subscription = `/subscriptions/${second.toLowerCase()}`;
  if (parts.length === 2) return subscription;
  if (third.toLowerCase() !== "resourcegroups" || parts.length < 4)
    throw bad("expected resourceGroups after the subscription");
  if (!isResourceGroupName(fourth)) throw bad(`invalid resource group name '${fourth}'`);
  const group = `${subscription}/resourceGroups/${fourth}`;
  if (parts.length === 4) return group;
  return group + providerPath(parts.slice(4), bad);
}

/** `providers/{namespace}/{type}/{name}[/{type}/{name}…]`, repeated for extension resources. */
function providerPath(parts: string[], bad: (why: string) => Error): string {
  let out = "";
  let i = 0;
  while (i < parts.length) {
    const namespace = parts[i + 1] ?? "";
    if (parts[i]?.toLowerCase() !== "providers" || !NAMESPACE.test(namespace))
      throw bad("expected /providers/{namespace}/{type}/{name} after the resource group");
    out += `/providers/${namespace}`;
    i += 2;
    const start = i;
    while (i < parts.length && parts[i]?.toLowerCase() !== "providers") {
      const type = parts[i] ?? "";
      const name = parts[i + 1];
      if (!RESOURCE_TYPE.test(type)) throw bad(`'${type}' is not a resource type`);
      if (name === undefined) throw bad(`the resource type '${type}' has no name after it`);
      out += `/${type}/${name}`;
      i += 2;
    }
    if (i === start) throw bad(`expected {type}/{name} after '${namespace}'`);
  }
  return out;
}

export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}

export function resourceGroupScope(subscriptionId: string, group: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${group}`;
}

export function scopeLevel(scope: string): ScopeLevel {
  if (scope === "/") return "root";
  const parts = scope.slice(1).split("/");
  if (parts[0]?.toLowerCase() === "providers") return "managementGroup";
  if (parts.length <= 2) return "subscription";
  if (parts.length <= 4) return "resourceGroup";
  return "resource";
}

/** The subscription a scope lies in, if any. */
export function scopeSubscription(scope: string): string | undefined {
  const m = /^\/subscriptions\/([^/]+)/i.exec(scope);
  return m?.[1]?.toLowerCase();
}

/** True when `outer` is `inner` or one of its parents. */
export function scopeCovers(outer: string, inner: string): boolean {
  const o = outer.toLowerCase();
  const i = inner.toLowerCase();
  return o === "/" || o === i || i.startsWith(`${o}/`);
}

export function sameScope(a: string, b: string): boolean {
  return a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();
}

/** A storage account, or something inside one (a blob container). */
export function isStorageScope(scope: string): boolean {
  return /\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+/i.test(scope);
}

/** arm-authorization puts the "/" between host and scope itself: pass scopes without theirs. */
export function sdkScope(scope: string): string {
  return scope.replace(/^\/+/, "");
}
