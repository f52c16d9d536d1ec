import { armError } from "../arm/replies.js";
import type { Reply } from "../http.js";
import type { State } from "../state.js";
import { findRole, type RoleDefinition } from "./roles.js";

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*");
  return new RegExp(`^${escaped}$`, "i");
}

export function actionMatches(pattern: string, action: string): boolean {
  return wildcard(pattern).test(action);
}

/** ARM grants an action when one permission block has it in actions and not in its notActions. */
export function rolePermits(role: RoleDefinition, action: string): boolean {
  return role.permissions.some(
    (p) =>
      p.actions.some((a) => actionMatches(a, action)) && !p.notActions.some((a) => actionMatches(a, action)),
  );
}

/** True when `scope` is `within` itself or one of its ancestors (compared case-insensitively). */
export function scopeCovers(scope: string, within: string): boolean {
  const s = scope.toLowerCase().replace(/\/$/, "");
  const w = within.toLowerCase();
  return s === "" || w === s || w.startsWith(`${s}/`);
}

/** The data-plane twin of rolePermits: dataActions minus notDataActions in one permission block. */
export function rolePermitsData(role: RoleDefinition, dataAction: string): boolean {
  return role.permissions.some(
    (p) =>
      p.dataActions.some((a) => actionMatches(a, dataAction)) &&
      !p.notDataActions.some((a) => actionMatches(a, dataAction)),
  );
}

export type Permission = { action: string } | { dataAction: string };

/**
 * What the blob data plane sees: only assignments past their propagation delay, and none with a
 * condition (ABAC conditions are not evaluated, so they never grant).
 */
export function isDataPlaneAuthorized(
  state: State,
  principalId: string,
  anyOf: Permission[],
  scope: string,
  now = Date.now(),
): boolean {
  const oid = principalId.toLowerCase();
  return state.roleAssignments.some((a) => {
    if (a.principalId !== oid || a.condition || now < a.dataPlaneAt || !scopeCovers(a.scope, scope)) {
      return false;
    }
    const role = findRole(state.customRoles, a.roleDefinitionId);
    if (!role) return false;
    return anyOf.some((p) =>
      "action" in p ? rolePermits(role, p.action) : rolePermitsData(role, p.dataAction),
    );
  });
}

export function isAuthorized(state: State, principalId: string, action: string, scope: string): boolean {
  const oid = principalId.toLowerCase();
  return state.roleAssignments.some((a) => {
    if (a.principalId !== oid || !scopeCovers(a.scope, scope)) return false;
    const role = findRole(state.customRoles, a.roleDefinitionId);
    return role !== undefined && rolePermits(role, action);
  });
}

/** For subscription listing: any assignment at, above or below the scope. */
export function hasAnyAssignment(state: State, principalId: string, scope: string): boolean {
  const oid = principalId.toLowerCase();
  return state.roleAssignments.some(
    (a) => a.principalId === oid && (scopeCovers(a.scope, scope) || scopeCovers(scope, a.scope)),
  );
}

export function authorizationFailed(principalId: string, action: string, scope: string): Reply {
  return armError(
    403,
    "AuthorizationFailed",
    `The client '${principalId}' with object id '${principalId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}
