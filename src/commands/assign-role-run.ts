// assign-role's action, loaded when the command runs.
import { assignRole } from "../azure/assignments.js";
import { BLOB_DATA_ROLES, grantsNoData, isPrivilegedRole } from "../azure/roles.js";
import { isStorageScope, scopeLevel } from "../azure/scope.js";
import {
  clientIdMistake,
  listUserAssignedIdentities,
  type UserAssignedIdentity,
} from "../azure/user-assigned.js";
import type { Context } from "../context.js";
import { PermissionError, UsageError } from "../errors.js";
import { askYesNo } from "../output/prompt.js";
import { type Resolved, resolveRoleRequest, runForEach } from "./role-flow.js";
import { needsConfirmation, parseRoleOptions, type RawAssignOptions } from "./role-options.js";

export async function assignRoleAction(ctx: Context, raw: RawAssignOptions): Promise<void> {
  const opts = parseRoleOptions(raw, "assign");
  if (
    "scope" in opts.scope &&
    needsConfirmation(opts.role, opts.scope.scope) &&
    !opts.yes &&
    !opts.dryRun &&
    !ctx.io.stdinIsTTY
  ) {
    throw refuseBroad(opts.role, opts.scope.scope);
  }
  const resolved = await resolveRoleRequest(ctx, opts);
  const { role, scope } = resolved;
  if ("principalIds" in opts.assignees) await refuseClientIds(ctx, resolved);
  if (isPrivilegedRole(role.name)) {
    ctx.warn(
      `'${role.roleName}' is a broad control-plane role; an app's identity rarely needs it (least privilege)`,
    );
    if (needsConfirmation(role.name, scope) && !opts.yes) {
      // A dry run writes nothing, so it asks nothing; it says what the real run will need.
      if (opts.dryRun)
        ctx.warn(
          `dry run: a real run needs --yes to assign '${role.roleName}' at ${scopeLevel(scope)} scope (or a confirmation on a terminal)`,
        );
      else await confirm(ctx, role.roleName, scope);
    }
  }
  if (grantsNoData(role) && isStorageScope(scope)) {
    ctx.warn(
      `'${role.roleName}' grants no blob data access: for an app to read and write blobs assign '${BLOB_DATA_ROLES.contributor}' (or '${BLOB_DATA_ROLES.reader}' to read)`,
    );
  }
  const arm = await ctx.arm();
  await runForEach(ctx, resolved, opts, (req, signal) =>
    assignRole(arm, req, {
      dryRun: opts.dryRun,
      principalWaitMs: opts.principalWaitMs,
      abortSignal: signal,
      onWait: (m) => ctx.warn(m),
      onNote: (m) => ctx.warn(m),
    }),
  );
}

/**
 * A raw GUID that is a user-assigned identity's client ID would, with principalType sent, be accepted by
 * ARM and leave an assignment to nobody: one list of the subscription's identities, before any write.
 */
async function refuseClientIds(ctx: Context, resolved: Resolved): Promise<void> {
  const arm = await ctx.arm();
  let identities: UserAssignedIdentity[];
  try {
    identities = await listUserAssignedIdentities(arm, resolved.subscriptionId, ctx.signal);
  } catch (err) {
    if (!(err instanceof PermissionError)) throw err;
    ctx.warn(
      `could not list the user-assigned identities (${err.azureCode ?? "permission denied"}): not checked whether an assignee is one's client ID`,
    );
    return;
  }
  const mistake = clientIdMistake(resolved.principalIds, identities);
  if (mistake) throw mistake;
}

function refuseBroad(role: string, scope: string): UsageError {
  return new UsageError(`refusing to assign '${role}' at ${scopeLevel(scope)} scope ${scope} without --yes`, {
    hint: "assign a narrower role or scope, or pass --yes (required when not running interactively)",
  });
}

async function confirm(ctx: Context, roleName: string, scope: string): Promise<void> {
  if (!ctx.io.stdinIsTTY) throw refuseBroad(roleName, scope);
  if (!(await askYesNo(ctx.io, `Assign '${roleName}' at ${scope}?`, ctx.signal)))
    throw new UsageError("not confirmed; nothing was assigned");
}
