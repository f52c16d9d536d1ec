// Pure logic: read the current identity, apply the change, decide whether anything must be written.
// Setting `type: SystemAssigned` on ARM drops every user-assigned identity, so the request always
// names the user-assigned identities that must stay.
import { sameId } from "./ids.js";

export interface UserAssignedDetails {
  principalId?: string | null;
  clientId?: string | null;
}

/** What ARM returns under `identity` (Web and Compute share the shape). */
export interface WireIdentity {
  type?: string | null;
  principalId?: string | null;
  tenantId?: string | null;
  userAssignedIdentities?: Record<string, UserAssignedDetails | null> | null;
}

/** What miauth prints: the guide's `{principalId, tenantId, type, userAssignedIdentities}`. */
export interface IdentityView {
  principalId: string | null;
  tenantId: string | null;
  type: string;
  userAssignedIdentities: Record<string, UserAssignedDetails> | null;
}

export interface IdentityChange {
  system: "enable" | "disable" | "keep";
  addUserAssigned: string[];
  removeUserAssigned: string[];
}

export interface IdentityPlan {
  changed: boolean;
  /** The `identity` body to send; undefined when nothing changes. */
  request?: WireIdentity;
  before: IdentityView;
  after: IdentityView;
}

export function hasSystemAssigned(identity: WireIdentity | null | undefined): boolean {
  return typeString(identity?.type).includes("systemassigned");
}

function typeString(type: string | null | undefined): string {
  return (type ?? "None").toLowerCase().replace(/\s+/g, "");
}

function userAssignedIds(identity: WireIdentity | null | undefined): string[] {
  if (!typeString(identity?.type).includes("userassigned")) return [];
  return Object.keys(identity?.userAssignedIdentities ?? {});
}

const KNOWN_TYPES = new Set(["none", "systemassigned", "userassigned", "systemassigned,userassigned"]);

/** One of ARM's four identity types (Web and Compute write the last with a space, Container Apps without). */
export function isKnownIdentityType(type: string): boolean {
  return KNOWN_TYPES.has(typeString(type));
}

export function identityType(system: boolean, user: boolean): string {
  if (system && user) return "SystemAssigned, UserAssigned";
  if (system) return "SystemAssigned";
  if (user) return "UserAssigned";
  return "None";
}

export function viewOf(identity: WireIdentity | null | undefined): IdentityView {
  const system = hasSystemAssigned(identity);
  const users = userAssignedIds(identity);
  const details: Record<string, UserAssignedDetails> = {};
  for (const id of users) {
    const d = identity?.userAssignedIdentities?.[id] ?? {};
    details[id] = { principalId: d.principalId ?? null, clientId: d.clientId ?? null };
  }
  return {
    principalId: system ? (identity?.principalId ?? null) : null,
    tenantId: identity?.tenantId ?? null,
    type: identityType(system, users.length > 0),
    userAssignedIdentities: users.length > 0 ? details : null,
  };
}

export function planIdentity(current: WireIdentity | null | undefined, change: IdentityChange): IdentityPlan {
  const before = viewOf(current);
  const hadSystem = hasSystemAssigned(current);
  const existing = userAssignedIds(current);
  const system = change.system === "keep" ? hadSystem : change.system === "enable";

  const removed = existing.filter((id) => change.removeUserAssigned.some((r) => sameId(r, id)));
  const kept = existing.filter((id) => !removed.includes(id));
  const added: string[] = [];
  for (const id of change.addUserAssigned) {
    if (![...kept, ...added].some((k) => sameId(k, id))) added.push(id);
  }
  const users = [...kept, ...added];
  const changed = system !== hadSystem || removed.length > 0 || added.length > 0;

  const afterDetails: Record<string, UserAssignedDetails> = {};
  for (const id of kept) afterDetails[id] = before.userAssignedIdentities?.[id] ?? {};
  for (const id of added) afterDetails[id] = { principalId: null, clientId: null };
  const after: IdentityView = {
    principalId: system ? (hadSystem ? before.principalId : null) : null,
    tenantId: system || users.length > 0 ? before.tenantId : null,
    type: identityType(system, users.length > 0),
    userAssignedIdentities: users.length > 0 ? afterDetails : null,
  };
  if (!changed) return { changed, before, after: before };

  const request: WireIdentity = { type: identityType(system, users.length > 0) };
  if (users.length > 0) {
    const map: Record<string, UserAssignedDetails | null> = {};
    for (const id of users) map[id] = {};
    for (const id of removed) map[id] = null;
    request.userAssignedIdentities = map;
  }
  return { changed, request, before, after };
}
