// setup's flags checked before any request: one target, the storage account, the scope, the setting.

import { parseIdentityRef } from "../azure/identity-pick.js";
import {
  validateContainerName,
  validateResourceGroupName,
  validateStorageAccountName,
} from "../azure/ids.js";
import { parseRoleInput } from "../azure/roles.js";
import type { ScopeChoice } from "../azure/setup/index.js";
import { parseTargets, TARGET_FLAGS } from "../azure/target.js";
import { UsageError } from "../errors.js";
import type { RawSetupOptions } from "./setup.js";
import { parseDuration } from "./shared.js";

function parseScopeChoice(value: string): ScopeChoice {
  if (value === "account") return { kind: "account" };
  if (value === "resource-group") return { kind: "resource-group" };
  const m = /^container:(.*)$/.exec(value);
  if (m) return { kind: "container", name: validateContainerName(m[1] ?? "") };
  throw new UsageError(`invalid --scope '${value}': use account, container:NAME or resource-group`);
}

/** A name App Service keeps as a variable on Windows and Linux alike (Linux has no '.' or '-'). */
function parseSettingName(value: string | false): string | null {
  if (value === false) return null;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(value))
    throw new UsageError(
      `invalid --app-setting '${value}': use letters, digits and '_' (not starting with a digit), as an environment variable`,
    );
  return value;
}

export function parseSetupOptions(raw: RawSetupOptions) {
  const targets = parseTargets(raw);
  if (targets.length !== 1 || !targets[0])
    throw new UsageError(`setup works on one target at a time: give one of ${TARGET_FLAGS.prose}`);
  if (raw.storageAccount === undefined) throw new UsageError("--storage-account NAME is required");
  const account = validateStorageAccountName(raw.storageAccount, "--storage-account");
  const group =
    raw.storageResourceGroup === undefined ? undefined : validateResourceGroupName(raw.storageResourceGroup);
  parseRoleInput(raw.role);
  if (raw.identityResourceGroup !== undefined && raw.userAssigned === undefined)
    throw new UsageError("--identity-resource-group is for --user-assigned given by name");
  const userAssigned =
    raw.userAssigned === undefined
      ? undefined
      : parseIdentityRef(raw.userAssigned, "--user-assigned", raw.identityResourceGroup);
  if (raw.setEnv && targets[0].kind !== "containerapp")
    throw new UsageError("--set-env is for --containerapp (web and function apps get an app setting)");
  if (raw.setEnv && raw.appSetting === false)
    throw new UsageError("--set-env and --no-app-setting conflict: give one");
  return {
    userAssigned,
    target: targets[0],
    storageAccount: account,
    storageResourceGroup: group,
    role: raw.role,
    scope: parseScopeChoice(raw.scope),
    setting: parseSettingName(raw.appSetting),
    setEnv: raw.setEnv === true,
    dryRun: raw.dryRun === true,
    yes: raw.yes === true,
    waitMs: raw.wait === undefined ? 0 : parseDuration("--wait", raw.wait),
    principalWaitMs: parseDuration("--principal-wait", raw.principalWait),
  };
}
