// Scopes of extension resources (role definitions and assignments live under any of them).

import type { Reply } from "../http.js";
import type { State } from "../state.js";
import { armError, groupMissing, resourceNotFound } from "./replies.js";

/** Resource types whose existence the emulator knows; scopes under other types are accepted as ARM's RP would see them. */
const KNOWN_TYPES: Record<string, (s: State) => Record<string, unknown>> = {
  "microsoft.web/sites": (s) => s.sites,
  "microsoft.compute/virtualmachines": (s) => s.vms,
  "microsoft.app/containerapps": (s) => s.containerApps,
  "microsoft.storage/storageaccounts": (s) => s.storageAccounts,
  "microsoft.managedidentity/userassignedidentities": (s) => s.userAssignedIdentities,
};

/** ARM checks the scope the extension resource lives under: resource group, then a known resource. */
export function checkScope(state: State, scope: string): Reply | undefined {
  if (scope === "/") return undefined;
  const seg = scope.split("/");
  const at = (i: number) => (seg[i] ?? "").toLowerCase();
  if (at(1) === "providers") return undefined; // tenant-level scopes such as management groups
  if (at(1) !== "subscriptions") {
    return armError(
      400,
      "MissingSubscription",
      "The request did not have a subscription or a valid tenant level resource provider.",
    );
  }
  if (seg.length === 3) return undefined;
  if (at(3) !== "resourcegroups" || (seg.length > 5 && (at(5) !== "providers" || seg.length < 9))) {
    return armError(400, "InvalidScope", `The scope '${scope}' is not valid.`);
  }
  const missing = groupMissing(state, seg[2] ?? "", seg[4] ?? "");
  if (missing || seg.length === 5) return missing;
  const table = KNOWN_TYPES[`${at(6)}/${at(7)}`];
  if (table && !table(state)[seg.slice(0, 9).join("/").toLowerCase()]) {
    return resourceNotFound(`${seg[6]}/${seg[7]}`, seg[8] ?? "", seg[4] ?? "");
  }
  // A deployment slot is a resource of its own under its site.
  if (`${at(6)}/${at(7)}/${at(9)}` === "microsoft.web/sites/slots" && seg.length >= 11) {
    if (!state.slots[seg.slice(0, 11).join("/").toLowerCase()])
      return resourceNotFound(`${seg[6]}/${seg[7]}/${seg[9]}`, `${seg[8]}/${seg[10]}`, seg[4] ?? "");
  }
  return undefined;
}

/** Paths of extension resources: the scope, then the provider; the tenant root has no prefix. */
export function under(scope: string, rest: string): string {
  return `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/${rest}`;
}

export function subscriptionOf(scope: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
}
