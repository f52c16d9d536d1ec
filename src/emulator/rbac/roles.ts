import { BUILTIN_ROLE_DATA } from "./builtin-roles.js";

export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleDefinition {
  /** The GUID. */
  name: string;
  roleName: string;
  type: "BuiltInRole" | "CustomRole";
  description: string;
  assignableScopes: string[];
  permissions: Permission[];
  createdOn: string;
  updatedOn: string;
}

// Built-in roles carry ARM's own timestamps; one plausible pair stands in for all of them.
const BUILTIN_CREATED = "2015-02-02T21:55:09.8806423Z";
const BUILTIN_UPDATED = "2023-07-26T20:20:58.3476374Z";

export const BUILTIN_ROLES: readonly RoleDefinition[] = BUILTIN_ROLE_DATA.map((r) => ({
  name: r.name,
  roleName: r.roleName,
  type: "BuiltInRole",
  description: r.description,
  assignableScopes: ["/"],
  permissions: [
    {
      actions: r.actions,
      notActions: r.notActions,
      dataActions: r.dataActions,
      notDataActions: r.notDataActions,
    },
  ],
  createdOn: BUILTIN_CREATED,
  updatedOn: BUILTIN_UPDATED,
}));

/** Looks a role up by GUID, role definition ID (either form) or role name, all case-insensitively. */
export function findRoleIn(roles: readonly RoleDefinition[], nameOrId: string): RoleDefinition | undefined {
  const key = (nameOrId.split("/").pop() ?? "").toLowerCase();
  const byName = nameOrId.toLowerCase();
  return roles.find((r) => r.name.toLowerCase() === key || r.roleName.toLowerCase() === byName);
}

/** Built-in roles plus the world's custom roles. */
export function allRoles(custom: readonly RoleDefinition[]): RoleDefinition[] {
  return [...BUILTIN_ROLES, ...custom];
}

export function findRole(custom: readonly RoleDefinition[], nameOrId: string): RoleDefinition | undefined {
  return findRoleIn(allRoles(custom), nameOrId);
}
