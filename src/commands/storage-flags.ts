// assign-role's --storage-account / --storage-resource-group / --container: checked before any request;
// the account is found through ARM later (src/azure/storage-scope.ts).
import {
  validateContainerName,
  validateResourceGroupName,
  validateStorageAccountName,
} from "../azure/ids.js";
import type { StorageRef } from "../azure/storage-scope.js";
import { UsageError } from "../errors.js";
import type { RawRoleOptions } from "./role-flags.js";

/** The storage scope the flags name, or undefined when --storage-account is not given. */
export function parseStorageFlags(raw: RawRoleOptions, targeted: boolean): StorageRef | undefined {
  if (raw.storageAccount === undefined) {
    const orphan =
      raw.container !== undefined
        ? "--container"
        : raw.storageResourceGroup !== undefined
          ? "--storage-resource-group"
          : undefined;
    if (orphan) throw new UsageError(`${orphan} needs --storage-account NAME`);
    return undefined;
  }
  if (raw.scope !== undefined)
    throw new UsageError("conflicting --storage-account and --scope: give one scope");
  if (raw.resourceGroup !== undefined && !targeted)
    throw new UsageError(
      "conflicting -g and --storage-account: give one scope (the account's own group is --storage-resource-group)",
    );
  if (raw.storageAccount === "") throw new UsageError("--storage-account needs a storage account name");
  const ref: StorageRef = { account: validateStorageAccountName(raw.storageAccount, "--storage-account") };
  if (raw.storageResourceGroup !== undefined)
    ref.resourceGroup = validateResourceGroupName(raw.storageResourceGroup);
  if (raw.container !== undefined) ref.container = validateContainerName(raw.container);
  return ref;
}
