// ARM scopes: where a role is assigned. Pure validation and comparison.
import { UsageError } from "../errors.js";
import { isGuid, isResourceGroupName } from "./ids.js";

export type ScopeLevel = "root" | "managementGroup" | "subscription" | "resourceGroup" | "resource";

/** Validates a scope and returns it with a leading slash and no trailing one. */
export function parseScope(value: string): string {
  const scope = value.trim().replace(/\/+$/, "") || "/";
  const bad = (why: string) =>
    new UsageError(
      `invalid --scope '${value}': ${why}; expected /subscriptions/{id}[/resourceGroups/{group}[/providers/{namespace}/{type}/{name}…]]`,
    );
  if (scope === "/") throw bad("the root scope '/' is not supported");
  if (!scope.startsWith("/")) throw bad("it must start with /");
  if (scope.includes("//")) throw bad("it has an empty segment");
  const parts = scope.slice(1).split("/");
  if (parts[0]?.toLowerCase() === "providers") {
    if (
      parts.length === 4 &&
      /^microsoft\.management$/i.test(parts[1] ?? "") &&
      /^managementgroups$/i.test(parts[2] ?? "")
    ) {
      return scope;
    }
    throw bad("unsupported provider-level scope");
  }
  if (parts[0]?.toLowerCase() !== "subscriptions" || parts.length < 2)
    throw bad("it must start with /subscriptions/{id}");
  if (!isGuid(parts[1] ?? "")) throw bad("the subscription is not a GUID");
  if (parts.length === 2) return scope;
  if (parts[2]?.toLowerCase() !== "resourcegroups" || parts.length < 4)
    throw bad("expected resourceGroups after the subscription");
  if (!isResourceGroupName(parts[3] ?? "")) throw bad("invalid resource group name");
  if (parts.length === 4) return scope;
  if (parts[4]?.toLowerCase() !== "providers" || parts.length < 8 || (parts.length - 6) % 2 !== 0) {
    throw bad("expected /providers/{namespace}/{type}/{name} after the resource group");
  }
  return scope;
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
