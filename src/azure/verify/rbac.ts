// Azure RBAC evaluation for one principal on one storage account, from its role assignments
// (direct and inherited) and their role definitions. Conditions are reported, not guessed.
import type { RoleAssignment } from "@azure/arm-authorization";
import { listPrincipalAssignments } from "../assignments.js";
import type { ArmClients } from "../clients.js";
import { roleDefinitionLookup } from "../roles.js";
import { scopeCovers } from "../scope.js";
import { type Permission, permits } from "./permissions.js";
import type { Access } from "./types.js";

const BLOB = "Microsoft.Storage/storageAccounts/blobServices";

export interface NeededPermission {
  permission: string;
  data: boolean;
  /** The step's name: the data-plane step that needs this permission (one vocabulary, types.ts). */
  step: string;
  /** What it is for, in words. */
  purpose: string;
}

/**
 * What the data-plane probe does for each access level, as RBAC permissions: one per data-plane step,
 * under that step's name, so both planes report the same steps for the same access level.
 */
export function neededPermissions(access: Access): NeededPermission[] {
  const need = (step: string, action: string, data: boolean, purpose: string): NeededPermission => ({
    permission: `${BLOB}/${action}`,
    data,
    step,
    purpose,
  });
  const listContainers = need("list-containers", "containers/read", false, "list containers");
  const listBlobs = need("list-blobs", "containers/blobs/read", true, "list blobs");
  const write = need("write-probe", "containers/blobs/write", true, "write a blob");
  const read = need("read-probe", "containers/blobs/read", true, "read a blob");
  const remove = need("delete-probe", "containers/blobs/delete", true, "delete a blob");
  return access === "read"
    ? [listContainers, listBlobs]
    : access === "write"
      ? [listContainers, write, remove]
      : [listContainers, listBlobs, write, read, remove];
}

export interface RoleOfAssignment {
  assignment: RoleAssignment;
  roleName: string;
  permissions: Permission[];
}

export interface Grant {
  roleName: string;
  scope: string;
  assignmentId: string;
  /** Set when the assignment carries an ABAC condition: reported, never assumed to grant. */
  condition: string | null;
}

export interface PermissionCheck extends NeededPermission {
  granted: boolean;
  grantedBy: Grant[];
  /** Assignments that would grant it only if their condition holds. */
  conditional: Grant[];
}

/** Pure: which assignments at or above `accountScope` grant each needed permission. */
export function evaluateAccess(
  roles: RoleOfAssignment[],
  accountScope: string,
  needed: NeededPermission[],
): PermissionCheck[] {
  const applicable = roles.filter((r) => r.assignment.scope && scopeCovers(r.assignment.scope, accountScope));
  return needed.map((n) => {
    const grants = applicable
      .filter((r) => permits(r.permissions, n.permission, n.data))
      .map((r) => ({
        roleName: r.roleName,
        scope: r.assignment.scope ?? "",
        assignmentId: r.assignment.id ?? "",
        condition: r.assignment.condition ?? null,
      }));
    const grantedBy = grants.filter((g) => g.condition === null);
    return {
      ...n,
      granted: grantedBy.length > 0,
      grantedBy,
      conditional: grants.filter((g) => g.condition !== null),
    };
  });
}

/** The principal's assignments that reach the account, with their role definitions. */
export async function rolesOnScope(
  arm: ArmClients,
  subscriptionId: string,
  principalId: string,
  accountScope: string,
  abortSignal?: AbortSignal,
): Promise<RoleOfAssignment[]> {
  const assignments = (
    await listPrincipalAssignments(arm, accountScope, subscriptionId, principalId, abortSignal)
  ).filter((a) => a.scope && scopeCovers(a.scope, accountScope));
  const roleOf = roleDefinitionLookup(arm, subscriptionId, abortSignal);
  return Promise.all(
    assignments.map(async (assignment) => ({
      assignment,
      ...(await roleOf(assignment.roleDefinitionId ?? "")),
    })),
  );
}
