// Flags shared by assign-role and unassign-role, and their validation (all before any network call).

import { type AssigneeLookup, parseAssignee } from "../azure/assignee.js";
import { type IdentityRef, parseIdentityRef } from "../azure/identity-pick.js";
import { parseGuid, validateResourceGroupName } from "../azure/ids.js";
import { PRINCIPAL_TYPES, type PrincipalType } from "../azure/principal-types.js";
import { isPrivilegedRole, parseRoleInput } from "../azure/roles.js";
import { parseScope, scopeLevel } from "../azure/scope.js";
import type { StorageRef } from "../azure/storage-scope.js";
import { hasTarget, parseTargets, TARGET_FLAGS, type Target } from "../azure/target.js";
import { UsageError } from "../errors.js";
import type { RawAssignOptions, RawRoleOptions, RoleVerb } from "./role-flags.js";
import { parseDuration, readTextFile } from "./shared.js";
import { parseStorageFlags } from "./storage-flags.js";

export type { RawAssignOptions, RawRoleOptions } from "./role-flags.js";

export interface RoleOptions {
  role: string;
  /** Fixed scope, a resource group to combine with the resolved subscription, or a storage account to find. */
  scope: { scope: string } | { resourceGroup: string } | { storage: StorageRef };
  /**
   * Assignees given as principal IDs (and names Microsoft Graph turns into them), or resources whose
   * identity is the assignee.
   */
  assignees: { principalIds: string[]; lookups: AssigneeLookup[] } | { targets: Target[] };
  /**
   * --identity: with targets, which of their identities (system-assigned when absent); without, a
   * user-assigned identity that is the assignee (name with its group resolved here).
   */
  identity?: IdentityRef;
  /** --assignee values that are user-assigned identities' resource IDs. */
  assigneeIdentities?: IdentityRef[];
  /** What the PUT sends first: the flag's value, else ServicePrincipal (a managed identity). */
  principalType: PrincipalType;
  /** True with --assignee-principal-type: a mismatch is then the user's error, not retried. */
  principalTypeGiven: boolean;
  principalWaitMs: number;
  concurrency: number;
  dryRun: boolean;
  yes: boolean;
}

const MAX_LINE = 1000;

function readAssigneesFile(path: string): string[] {
  const text = readTextFile("--assignees-file", path);
  const ids: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.length > MAX_LINE)
      throw new UsageError(
        `line ${i + 1} of --assignees-file '${path}' is longer than ${MAX_LINE} characters`,
      );
    const v = line.replace(/#.*$/, "").trim();
    if (v) ids.push(parseGuid(v, `assignee on line ${i + 1} of ${path}`));
  });
  return ids;
}

/** The flags only assign-role has; unassign-role reads none of them (it has none). */
function parseAssignOnly(
  raw: RawAssignOptions,
): Pick<RoleOptions, "principalType" | "principalTypeGiven" | "principalWaitMs" | "yes"> {
  const principalType = PRINCIPAL_TYPES.find(
    (t) => t.toLowerCase() === (raw.assigneePrincipalType ?? "ServicePrincipal").toLowerCase(),
  );
  if (!principalType) {
    throw new UsageError(
      `invalid --assignee-principal-type '${raw.assigneePrincipalType}': use ${PRINCIPAL_TYPES.join(", ")}`,
    );
  }
  return {
    principalType,
    principalTypeGiven: raw.assigneePrincipalType !== undefined,
    principalWaitMs: parseDuration("--principal-wait", raw.principalWait),
    yes: raw.yes === true,
  };
}

export function parseRoleOptions(
  raw: RawRoleOptions | RawAssignOptions,
  verb: RoleVerb = "assign",
): RoleOptions {
  if (raw.role === undefined) throw new UsageError("--role is required");
  parseRoleInput(raw.role);

  const assignOnly =
    verb === "assign"
      ? parseAssignOnly(raw as RawAssignOptions)
      : {
          principalType: "ServicePrincipal" as const,
          principalTypeGiven: false,
          principalWaitMs: 0,
          yes: false,
        };
  const concurrency = Number(raw.concurrency);
  if (!/^\d+$/.test(raw.concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(`invalid --concurrency '${raw.concurrency}': use a whole number from 1 to 64`);
  }

  const targeted = hasTarget(raw);
  // A user-assigned identity's resource ID as --assignee: its principal, read through ARM.
  const byId = (raw.assignee ?? []).filter((a) => a.trim().startsWith("/"));
  const assigneeIdentities = byId.map((a) => parseIdentityRef(a.trim(), "--assignee"));
  const parsed = (raw.assignee ?? [])
    .filter((a) => !a.trim().startsWith("/"))
    .map((a) => parseAssignee(a, "--assignee"));
  const lookups = parsed.filter((a): a is AssigneeLookup => a.kind !== "objectId");
  const given: string[] = [
    ...byId,
    ...parsed.flatMap((a) => (a.kind === "objectId" ? [a.value] : [])),
    ...(raw.assigneesFile ? readAssigneesFile(raw.assigneesFile) : []),
  ];
  const identity = parseIdentityOption(raw, targeted);
  if (identity && !targeted && given.length + lookups.length > 0)
    throw new UsageError(
      "give the assignee either as --assignee/--assignees-file or as --identity, not both",
    );
  if (targeted && given.length + lookups.length > 0) {
    throw new UsageError(
      `give the assignee either as --assignee/--assignees-file or as ${TARGET_FLAGS.short}, not both`,
    );
  }
  if (!targeted && !identity && given.length + lookups.length === 0 && raw.assigneesFile === undefined) {
    throw new UsageError(
      `no assignee: use --assignee ID, --assignees-file FILE, --identity NAME|ID, or ${TARGET_FLAGS.usage}`,
    );
  }
  if (!targeted && !identity && given.length + lookups.length === 0)
    throw new UsageError(`--assignees-file '${raw.assigneesFile}' has no principal IDs`);
  const assignees = targeted
    ? { targets: parseTargets(raw) }
    : { principalIds: [...new Set(given)].filter((g) => !g.startsWith("/")), lookups };

  let scope: RoleOptions["scope"];
  // --storage-account and its companions are assign-role's only.
  const storage = verb === "assign" ? parseStorageFlags(raw, targeted) : undefined;
  if (storage) {
    scope = { storage };
  } else if (raw.scope !== undefined) {
    if (raw.resourceGroup !== undefined && !targeted) {
      throw new UsageError("conflicting -g and --scope: give one scope");
    }
    scope = { scope: parseScope(raw.scope) };
  } else if (raw.resourceGroup !== undefined) {
    scope = { resourceGroup: validateResourceGroupName(raw.resourceGroup) };
  } else {
    throw new UsageError("no scope: use -g/--resource-group RG or --scope SCOPE");
  }

  const options: RoleOptions = {
    role: raw.role,
    scope,
    assignees,
    identity,
    assigneeIdentities,
    ...assignOnly,
    concurrency,
    dryRun: raw.dryRun === true,
  };
  return options;
}

/**
 * --identity (and --identity-resource-group): without a target, a name needs a group, -g's by default;
 * with one, a name without a group is matched among the target's attached identities.
 */
function parseIdentityOption(raw: RawRoleOptions, targeted: boolean): IdentityRef | undefined {
  if (raw.identity === undefined) {
    if (raw.identityResourceGroup !== undefined)
      throw new UsageError("--identity-resource-group is for --identity given by name");
    return undefined;
  }
  const ref = parseIdentityRef(raw.identity, "--identity", raw.identityResourceGroup);
  if (targeted || "id" in ref || ref.resourceGroup !== undefined) return ref;
  if (raw.resourceGroup === undefined)
    throw new UsageError(
      `--identity '${ref.name}' is a name: give its group with --identity-resource-group (or -g), or its full resource ID`,
    );
  return { name: ref.name, resourceGroup: validateResourceGroupName(raw.resourceGroup) };
}

/** Broad roles at a subscription (or above) need --yes; known from the flags alone when possible. */
export function needsConfirmation(roleNameOrGuid: string, scope: string): boolean {
  const level = scopeLevel(scope);
  return (
    isPrivilegedRole(roleNameOrGuid) &&
    (level === "subscription" || level === "managementGroup" || level === "root")
  );
}
