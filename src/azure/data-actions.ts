// The data actions miauth knows by name, to tell a misspelt --data-action from a real one that no role
// happens to list by its exact name. From Microsoft's "Azure permissions for Storage"
// (learn.microsoft.com/azure/role-based-access-control/permissions/storage) and "Actions and attributes
// for Azure role assignment conditions for Azure Blob Storage" (…/storage/blobs/storage-auth-abac-attributes).
import type { RoleView } from "./roles.js";
import { actionMatches } from "./verify/permissions.js";

const SA = "Microsoft.Storage/storageAccounts";
const BLOBS = `${SA}/blobServices/containers/blobs`;
const MESSAGES = `${SA}/queueServices/queues/messages`;
const ENTITIES = `${SA}/tableServices/tables/entities`;
const FILES = `${SA}/fileServices/fileshares/files`;

export const KNOWN_DATA_ACTIONS: readonly string[] = [
  ...[
    "read",
    "write",
    "delete",
    "add/action",
    "move/action",
    "filter/action",
    "tags/read",
    "tags/write",
    "deleteBlobVersion/action",
    "permanentDelete/action",
    "manageOwnership/action",
    "modifyPermissions/action",
    "runAsSuperUser/action",
    "immutableStorage/runAsSuperUser/action",
  ].map((a) => `${BLOBS}/${a}`),
  ...["read", "write", "delete", "add/action", "process/action"].map((a) => `${MESSAGES}/${a}`),
  ...["read", "write", "delete", "add/action", "update/action"].map((a) => `${ENTITIES}/${a}`),
  ...["read", "write", "delete", "modifypermissions/action", "actassuperuser/action"].map(
    (a) => `${FILES}/${a}`,
  ),
];

/**
 * True when no role lists `action` among its dataActions by that exact name (case-insensitive) and it is
 * no data action miauth knows (a `*` in it may stand for any part): most likely a typo, which a role
 * with a wildcard (`…/blobs/*`) would still seem to grant.
 */
export function isUnknownDataAction(action: string, roles: RoleView[]): boolean {
  const wanted = action.toLowerCase();
  if (roles.some((r) => r.permissions.some((p) => p.dataActions.some((a) => a.toLowerCase() === wanted))))
    return false;
  return !KNOWN_DATA_ACTIONS.some((op) => actionMatches(action, op));
}
