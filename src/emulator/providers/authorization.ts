// Microsoft.Authorization: role definitions and role assignments, at any scope.
import { page, unsupportedFilter } from "../arm/paging.js";
import { armError, isReply, ok, readJson } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import { checkScope, subscriptionOf, under } from "../arm/scope.js";
import type { Ctx, Reply } from "../http.js";
import { findPrincipal, isReplicated } from "../rbac/directory.js";
import { scopeCovers } from "../rbac/evaluate.js";
import { allRoles, type RoleDefinition } from "../rbac/roles.js";
import type { RoleAssignment, Settings, State } from "../state.js";
import { ROLE_ASSIGNMENT_API_VERSIONS, ROLE_DEFINITION_API_VERSIONS } from "./api-versions.js";

const PROVIDER = "/providers/Microsoft.Authorization";
/** The first role-assignment api-version that may assign a role with (not)DataActions. */
const DATA_ACTIONS_API_VERSION = "2018-01-01-preview";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---- role definitions ---------------------------------------------------------------------------

function renderDefinition(role: RoleDefinition, scope: string): Record<string, unknown> {
  const sub = subscriptionOf(scope);
  return {
    properties: {
      roleName: role.roleName,
      type: role.type,
      description: role.description,
      assignableScopes: role.assignableScopes,
      permissions: role.permissions,
      createdOn: role.createdOn,
      updatedOn: role.updatedOn,
      createdBy: null,
      updatedBy: null,
    },
    id: under(sub ? `/subscriptions/${sub}` : "/", `roleDefinitions/${role.name}`),
    type: "Microsoft.Authorization/roleDefinitions",
    name: role.name,
  };
}

/** Custom roles are visible where one of their assignable scopes is at or above the scope. */
function assignableAt(role: RoleDefinition, scope: string): boolean {
  return role.assignableScopes.some((s) => scopeCovers(s, scope));
}

function definitionFilter(
  filter: string | null,
): ((r: RoleDefinition, scope: string) => boolean) | undefined {
  if (filter === null || filter.trim() === "") return (r, scope) => assignableAt(r, scope);
  const f = filter.trim();
  const byName = /^roleName\s+eq\s+'(.*)'$/i.exec(f);
  if (byName) {
    const want = (byName[1] ?? "").replaceAll("''", "'").toLowerCase();
    return (r, scope) => assignableAt(r, scope) && r.roleName.toLowerCase() === want;
  }
  const byType = /^type\s+eq\s+'(BuiltInRole|CustomRole)'$/i.exec(f);
  if (byType) {
    const want = (byType[1] ?? "").toLowerCase();
    return (r, scope) => assignableAt(r, scope) && r.type.toLowerCase() === want;
  }
  if (/^atScopeAndBelow\(\)$/i.test(f)) {
    return (r, scope) => assignableAt(r, scope) || r.assignableScopes.some((s) => scopeCovers(scope, s));
  }
  return undefined;
}

function definitionNotFound(id: string, status: number): Reply {
  return armError(
    status,
    "RoleDefinitionDoesNotExist",
    `The specified role definition with ID '${id}' does not exist.`,
  );
}

// ---- role assignments ---------------------------------------------------------------------------

/**
 * ARM names the role in the form of the subscription the request was made under, whatever form the
 * PUT used and wherever the assignment lives (even one at "/", Azure/azure-cli#27509); a request at
 * the tenant root or a management group gets the tenant form.
 */
function roleDefinitionIdAt(a: RoleAssignment, requestScope: string): string {
  const sub = subscriptionOf(requestScope);
  return under(sub ? `/subscriptions/${sub}` : "/", `roleDefinitions/${roleGuid(a.roleDefinitionId)}`);
}

function renderAssignment(a: RoleAssignment, requestScope = a.scope): Record<string, unknown> {
  return {
    properties: {
      roleDefinitionId: roleDefinitionIdAt(a, requestScope),
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      condition: a.condition,
      conditionVersion: a.conditionVersion,
      createdOn: a.createdOn,
      updatedOn: a.updatedOn,
      createdBy: a.createdBy,
      updatedBy: a.updatedBy,
      delegatedManagedIdentityResourceId: null,
      description: a.description,
    },
    id: under(a.scope, `roleAssignments/${a.name}`),
    type: "Microsoft.Authorization/roleAssignments",
    name: a.name,
  };
}

const sameScope = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const roleGuid = (roleDefinitionId: string) => (roleDefinitionId.split("/").pop() ?? "").toLowerCase();

function invalidAssignmentName(name: string): Reply | undefined {
  if (GUID.test(name)) return undefined;
  return armError(
    400,
    "InvalidRoleAssignmentId",
    `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
  );
}

function principalNotFound(state: State, principalId: string): Reply {
  const compact = principalId.replaceAll("-", "").toLowerCase();
  return armError(
    400,
    "PrincipalNotFound",
    `Principal ${compact} does not exist in the directory ${state.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
  );
}

/**
 * ARM's words, typo included ("PrinciaplType", Azure/azure-dev#5814), with the ID as 32 hex digits
 * (Azure/azure-dev#3992) and a space before the comma.
 */
function unmatchedPrincipalType(principalId: string, real: string, sent: string): Reply {
  const compact = principalId.replaceAll("-", "").toLowerCase();
  return armError(
    400,
    "UnmatchedPrincipalType",
    `The PrincipalId '${compact}' has type '${real}' , which is different from specified PrinciaplType '${sent}'.`,
  );
}

/** `atScope()`, `principalId eq '…'`, `assignedTo('…')`, or atScope() and one of the other two. */
function assignmentFilter(filter: string | null): { atScope: boolean; principalId?: string } | undefined {
  if (filter === null || filter.trim() === "") return { atScope: false };
  const out: { atScope: boolean; principalId?: string } = { atScope: false };
  for (const part of filter.trim().split(/\s+and\s+/i)) {
    const principal =
      /^principalId\s+eq\s+'([^']*)'$/i.exec(part)?.[1] ?? /^assignedTo\('([^']*)'\)$/i.exec(part)?.[1];
    if (/^atScope\(\)$/i.test(part) && !out.atScope) out.atScope = true;
    else if (principal !== undefined && out.principalId === undefined)
      out.principalId = principal.toLowerCase();
    else return undefined;
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function createAssignment(ctx: Ctx, state: State, scope: string, name: string): Reply {
  const parsed = readJson(ctx);
  if (isReply(parsed)) return parsed;
  const props = parsed.body.properties;
  if (typeof props !== "object" || props === null || Array.isArray(props)) {
    return armError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized: 'properties' is required.",
    );
  }
  const p = props as Record<string, unknown>;
  const principalId = str(p.principalId) ?? "";
  if (!GUID.test(principalId)) {
    return armError(
      400,
      "InvalidPrincipalId",
      `The Principal ID '${principalId}' is not valid. Principal ID must be a GUID.`,
    );
  }
  const roleDefinitionId = str(p.roleDefinitionId) ?? "";
  const guid = roleGuid(roleDefinitionId);
  const role = allRoles(state.customRoles).find((r) => r.name.toLowerCase() === guid);
  if (
    !/^(\/subscriptions\/[^/]+)?\/providers\/Microsoft\.Authorization\/roleDefinitions\/[^/]+$/i.test(
      roleDefinitionId,
    ) ||
    !role ||
    !assignableAt(role, scope)
  ) {
    return definitionNotFound(guid || roleDefinitionId, 400);
  }
  const olderThanDataActions = ctx.apiVersion !== undefined && ctx.apiVersion < DATA_ACTIONS_API_VERSION;
  if (
    olderThanDataActions &&
    role.permissions.some((p) => p.dataActions.length + p.notDataActions.length > 0)
  ) {
    return armError(
      400,
      "UnsupportedApiVersionForRoleDefinitionHasDataActions",
      `Assignments to roles with DataActions and NotDataActions are not supported on API version '${ctx.apiVersion}'. The minimum required API version for this operations is '${DATA_ACTIONS_API_VERSION}'.`,
    );
  }
  const principalType = str(p.principalType);
  const wanted = {
    description: str(p.description) ?? null,
    condition: str(p.condition) ?? null,
    conditionVersion: str(p.conditionVersion) ?? null,
  };

  const existing = state.roleAssignments.find((a) => a.name === name.toLowerCase());
  if (existing) {
    if (
      existing.principalId !== principalId.toLowerCase() ||
      roleGuid(existing.roleDefinitionId) !== guid ||
      !sameScope(existing.scope, scope)
    ) {
      return armError(
        400,
        "RoleAssignmentUpdateNotPermitted",
        "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
      );
    }
    const changed = (Object.keys(wanted) as (keyof typeof wanted)[]).some((k) => existing[k] !== wanted[k]);
    if (!changed) return { status: 201, body: renderAssignment(existing) };
    Object.assign(existing, wanted, {
      updatedOn: new Date().toISOString(),
      updatedBy: ctx.principalId ?? null,
    });
    return ok(renderAssignment(existing));
  }
  const duplicate = state.roleAssignments.find(
    (a) =>
      a.principalId === principalId.toLowerCase() &&
      roleGuid(a.roleDefinitionId) === guid &&
      sameScope(a.scope, scope),
  );
  if (duplicate) {
    return armError(
      409,
      "RoleAssignmentExists",
      `The role assignment already exists. The ID of the existing role assignment is ${duplicate.name.replaceAll("-", "")}.`,
    );
  }
  // Without principalType ARM needs the directory to find the principal (PrincipalNotFound otherwise).
  // With it, a principal the lookup does not find (not replicated yet, or no such object) is accepted
  // with the type sent; one it finds must have that type (UnmatchedPrincipalType). See the README.
  const found = findPrincipal(state, principalId);
  const principal = found && isReplicated(found) ? found : undefined;
  if (!principal && principalType === undefined) return principalNotFound(state, principalId);
  if (principal && principalType !== undefined && principalType !== principal.type) {
    return unmatchedPrincipalType(principalId, principal.type, principalType);
  }
  const now = new Date().toISOString();
  const assignment: RoleAssignment = {
    name: name.toLowerCase(),
    principalId: principalId.toLowerCase(),
    principalType: (principalType ?? principal?.type) as RoleAssignment["principalType"],
    roleDefinitionId,
    scope,
    ...wanted,
    createdOn: now,
    updatedOn: now,
    createdBy: ctx.principalId ?? null,
    updatedBy: ctx.principalId ?? null,
    dataPlaneAt: Date.now() + state.options.dataPlaneDelayMs,
  };
  state.roleAssignments.push(assignment);
  return { status: 201, body: renderAssignment(assignment) };
}

export function authorizationRoutes(state: State, settings: Settings): Route[] {
  const definitions = {
    kind: "arm" as const,
    method: "GET",
    apiVersions: ROLE_DEFINITION_API_VERSIONS,
    provider: { namespace: "Microsoft.Authorization", type: "roleDefinitions" },
    action: "Microsoft.Authorization/roleDefinitions/read",
  };
  const assignments = {
    kind: "arm" as const,
    apiVersions: ROLE_ASSIGNMENT_API_VERSIONS,
    provider: { namespace: "Microsoft.Authorization", type: "roleAssignments" },
  };
  const ASSIGNMENT = `{*scope}${PROVIDER}/roleAssignments/{roleAssignmentName}`;
  const scoped = (ctx: Ctx) => ctx.params.scope ?? "/";
  /** Scope check, then the name check every single-assignment request makes. */
  const lookup = (ctx: Ctx): { error?: Reply; scope: string; name: string; found?: RoleAssignment } => {
    const scope = scoped(ctx);
    const name = ctx.params.roleAssignmentName ?? "";
    const error = checkScope(state, scope) ?? invalidAssignmentName(name);
    const found = state.roleAssignments.find(
      (a) => a.name === name.toLowerCase() && sameScope(a.scope, scope),
    );
    return { error, scope, name, found };
  };
  return [
    {
      ...definitions,
      pattern: `{*scope}${PROVIDER}/roleDefinitions`,
      handler: (ctx) => {
        const scope = scoped(ctx);
        const error = checkScope(state, scope);
        if (error) return error;
        const filter = ctx.query.get("$filter");
        const keep = definitionFilter(filter);
        if (!keep) {
          return unsupportedFilter(
            filter ?? "",
            "'roleName eq '{value}'' or 'type eq '{value}'' or 'atScopeAndBelow()'",
          );
        }
        const value = allRoles(state.customRoles)
          .filter((r) => keep(r, scope))
          .map((r) => renderDefinition(r, scope));
        return page(ctx, state, settings, value);
      },
    },
    {
      ...definitions,
      pattern: `{*scope}${PROVIDER}/roleDefinitions/{roleDefinitionId}`,
      handler: (ctx) => {
        const scope = scoped(ctx);
        const error = checkScope(state, scope);
        if (error) return error;
        const id = ctx.params.roleDefinitionId ?? "";
        const role = allRoles(state.customRoles).find((r) => r.name.toLowerCase() === id.toLowerCase());
        if (!role || !assignableAt(role, scope)) return definitionNotFound(id, 404);
        return ok(renderDefinition(role, scope));
      },
    },
    {
      ...assignments,
      method: "GET",
      pattern: `{*scope}${PROVIDER}/roleAssignments`,
      action: "Microsoft.Authorization/roleAssignments/read",
      handler: (ctx) => {
        const scope = scoped(ctx);
        const error = checkScope(state, scope);
        if (error) return error;
        const filter = ctx.query.get("$filter");
        const f = assignmentFilter(filter);
        if (!f)
          return unsupportedFilter(
            filter ?? "",
            "'atScope()' or 'principalId eq '{value}' or assignedTo('{value}')'",
          );
        const value = state.roleAssignments
          .filter((a) => scopeCovers(a.scope, scope) || (!f.atScope && scopeCovers(scope, a.scope)))
          .filter((a) => f.principalId === undefined || a.principalId === f.principalId)
          .map((a) => renderAssignment(a, scope));
        return page(ctx, state, settings, value);
      },
    },
    {
      ...assignments,
      method: "GET",
      pattern: ASSIGNMENT,
      action: "Microsoft.Authorization/roleAssignments/read",
      handler: (ctx) => {
        const { error, scope, name, found } = lookup(ctx);
        if (error) return error;
        if (!found)
          return armError(404, "RoleAssignmentNotFound", `The role assignment '${name}' is not found.`);
        return ok(renderAssignment(found, scope));
      },
    },
    {
      ...assignments,
      method: "PUT",
      pattern: ASSIGNMENT,
      action: "Microsoft.Authorization/roleAssignments/write",
      handler: (ctx) => {
        const { error, scope, name } = lookup(ctx);
        return error ?? createAssignment(ctx, state, scope, name);
      },
    },
    {
      ...assignments,
      method: "DELETE",
      pattern: ASSIGNMENT,
      action: "Microsoft.Authorization/roleAssignments/delete",
      handler: (ctx) => {
        const { error, found } = lookup(ctx);
        if (error) return error;
        if (!found) return { status: 204 };
        state.roleAssignments.splice(state.roleAssignments.indexOf(found), 1);
        return ok(renderAssignment(found));
      },
    },
  ];
}
