// What assign-role and unassign-role share: resolve scope, role and assignees, run each with bounded
// concurrency, print one result per assignee, and fail (after printing) if any failed.
import type { AssigneeLookup } from "../azure/assignee.js";
import { type AssignmentRequest, type AssignmentResult, failedResult } from "../azure/assignments.js";
import { assignmentDryRun } from "../azure/dry-run.js";
import { readIdentity } from "../azure/identity.js";
import { hasSystemAssigned } from "../azure/identity-merge.js";
import { type IdentityRef, pickAttached } from "../azure/identity-pick.js";
import type { PrincipalType } from "../azure/principal-types.js";
import { type RoleView, resolveRole } from "../azure/roles.js";
import { resourceGroupScope, scopeSubscription } from "../azure/scope.js";
import type { StorageRef } from "../azure/storage-scope.js";
import { resolveStorageScope } from "../azure/storage-scope.js";
import { describeTarget, type Target, targetFlags } from "../azure/target.js";
import { kindWarning } from "../azure/target-kind.js";
import { resolveUami } from "../azure/uami.js";
import type { Context } from "../context.js";
import { NotFoundError, ReportedFailure } from "../errors.js";
import { lookUpAssignees } from "./assignees.js";
import type { RoleOptions } from "./role-options.js";

export interface Resolved {
  scope: string;
  subscriptionId: string;
  role: RoleView;
  principalIds: string[];
  /** The type Microsoft Graph reported for an assignee given by name (sent unless a type flag was given). */
  typeOf?: Map<string, PrincipalType>;
}

export async function resolveRoleRequest(ctx: Context, opts: RoleOptions): Promise<Resolved> {
  const arm = await ctx.arm();
  const fixed = "scope" in opts.scope ? opts.scope.scope : undefined;
  const targets = "targets" in opts.assignees ? opts.assignees.targets : [];
  const needsSub =
    fixed === undefined ||
    targets.some((t) => t.subscriptionId === undefined) ||
    scopeSubscription(fixed) === undefined;
  const subscriptionId = needsSub ? await ctx.subscriptionId() : (scopeSubscription(fixed ?? "") ?? "");
  const scope =
    fixed ??
    ("storage" in opts.scope
      ? await storageScope(ctx, subscriptionId, opts.scope.storage)
      : resourceGroupScope(subscriptionId, "resourceGroup" in opts.scope ? opts.scope.resourceGroup : ""));
  const typeOf = new Map<string, PrincipalType>();
  const [role, principalIds] = await Promise.all([
    resolveRole(arm, scope, subscriptionId, opts.role, ctx.signal),
    "principalIds" in opts.assignees
      ? givenPrincipals(ctx, opts.assignees, typeOf, opts, subscriptionId)
      : principalsOf(ctx, targets, subscriptionId, opts.identity),
  ]);
  return { scope, subscriptionId, role, principalIds: [...new Set(principalIds)], typeOf };
}

/** The IDs given, then those Microsoft Graph finds for the names given (only then is it asked). */
async function givenPrincipals(
  ctx: Context,
  given: { principalIds: string[]; lookups: AssigneeLookup[] },
  typeOf: Map<string, PrincipalType>,
  opts: Pick<RoleOptions, "identity" | "assigneeIdentities">,
  subscriptionId: string,
): Promise<string[]> {
  if (opts.identity) return [await uamiPrincipal(ctx, opts.identity, subscriptionId)];
  const found = await lookUpAssignees(ctx, given.lookups);
  for (const f of found) typeOf.set(f.principalId, f.principalType);
  const identities: string[] = [];
  for (const ref of opts.assigneeIdentities ?? [])
    identities.push(await uamiPrincipal(ctx, ref, subscriptionId));
  return [...given.principalIds, ...identities, ...found.map((f) => f.principalId)];
}

/** --identity without a target: the user-assigned identity's principal (object) ID, read through ARM. */
export async function uamiPrincipal(ctx: Context, ref: IdentityRef, subscriptionId: string): Promise<string> {
  const u = await resolveUami(await ctx.arm(), ref, subscriptionId, ctx.signal);
  ctx.verbose(`--identity ${u.name}: principal ${u.principalId} (client ID ${u.clientId})`);
  return u.principalId;
}

/** --storage-account: the account (or container) found through ARM, in the working subscription. */
async function storageScope(ctx: Context, subscriptionId: string, ref: StorageRef): Promise<string> {
  const found = await resolveStorageScope(await ctx.arm(), subscriptionId, ref, ctx.signal);
  if (found.unchecked)
    ctx.warn(
      `could not check that container '${ref.container}' exists (${found.unchecked}): assigning at ${found.scope} as given`,
    );
  ctx.verbose(`--storage-account ${ref.account}: ${found.scope}`);
  return found.scope;
}

async function principalsOf(
  ctx: Context,
  targets: Target[],
  subscriptionId: string,
  identity: IdentityRef | undefined,
): Promise<string[]> {
  const arm = await ctx.arm();
  const ids: string[] = [];
  for (const target of targets) {
    const current = await readIdentity(arm, target, subscriptionId, ctx.signal);
    const wrongKind = kindWarning(target, current.kind);
    if (wrongKind) ctx.warn(wrongKind);
    if (identity) {
      ids.push(pickAttached(current.identity, identity, describeTarget(target)).principalId);
      continue;
    }
    const principalId = hasSystemAssigned(current.identity) ? current.identity?.principalId : undefined;
    if (!principalId) {
      throw new NotFoundError(`${describeTarget(target)} has no system-assigned managed identity`, {
        hint: `enable it first: miauth enable ${targetFlags(target, current.resourceId)}`,
      });
    }
    ids.push(principalId.toLowerCase());
  }
  return ids;
}

export async function runForEach(
  ctx: Context,
  resolved: Resolved,
  opts: RoleOptions,
  op: (req: AssignmentRequest, signal: AbortSignal) => Promise<AssignmentResult>,
): Promise<void> {
  const { default: pLimit } = await import("p-limit");
  const limit = pLimit(opts.concurrency);
  const results = await Promise.all(
    resolved.principalIds.map((principalId) =>
      limit(async () => {
        const req: AssignmentRequest = {
          scope: resolved.scope,
          role: resolved.role,
          principalId,
          principalType: opts.principalTypeGiven
            ? opts.principalType
            : (resolved.typeOf?.get(principalId) ?? opts.principalType),
          principalTypeGiven: opts.principalTypeGiven,
          subscriptionId: resolved.subscriptionId,
        };
        try {
          // Each assignment's requests listen on a signal of their own that follows Ctrl-C: with
          // --concurrency N, N operations listening on ctx.signal itself pass Node's limit of 10
          // listeners (MaxListenersExceededWarning), though none of them leaks.
          return await op(req, AbortSignal.any([ctx.signal]));
        } catch (err) {
          if (resolved.principalIds.length === 1 || ctx.signal.aborted) throw err;
          return failedResult(req, err);
        }
      }),
    ),
  );
  const failed = results.filter((r) => r.result === "failed");
  const shown = opts.dryRun ? results.map(assignmentDryRun) : results;
  try {
    ctx.print(shown.length === 1 ? shown[0] : shown, { wrote: !opts.dryRun });
  } catch (err) {
    // A --query failing on the result: the failed items' exit code matters more.
    if (failed.length === 0) throw err;
  }
  if (failed.length > 0) {
    const codes = [...new Set(failed.map((f) => f.error?.exitCode ?? 1))];
    const first = failed[0]?.error?.message ?? "";
    throw new ReportedFailure(
      `${failed.length} of ${results.length} assignments failed; the first: ${first}`,
      (codes.length === 1 ? codes[0] : 1) as ReportedFailure["exitCode"],
      { hint: "each failure is in the output with its error" },
    );
  }
}
