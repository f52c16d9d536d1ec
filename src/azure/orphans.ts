// The role assignments a removed system-assigned identity leaves behind: ARM keeps them, naming a
// principal that no longer exists (the portal shows "Identity not found"). Listed before the identity
// is removed (the principal ID is known only then), deleted after it, one by one.
import { MiauthError } from "../errors.js";
import { assignmentsOf, type IdentityAssignment } from "./assignments.js";
import type { ArmClients } from "./clients.js";
import { translateAzureError } from "./errors.js";
import { isGuid } from "./ids.js";
import { parseScope, scopeSubscription, sdkScope } from "./scope.js";

export interface OrphanedAssignment {
  id: string;
  principalId: string;
  roleName: string;
  scope: string;
  /** kept: left in place; would-delete: a dry run with --remove-assignments. */
  result: "kept" | "would-delete" | "deleted" | "failed";
  error?: { code: string | null; message: string; exitCode: number };
}

/** Every assignment of the principal in the subscription (at, above and below it). */
export function listOrphans(
  arm: ArmClients,
  subscriptionId: string,
  principalId: string,
  abortSignal?: AbortSignal,
): Promise<IdentityAssignment[]> {
  return assignmentsOf(arm, subscriptionId, [principalId], abortSignal);
}

const TAIL = /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments\/([^/]+)$/i;

/** Deletes one assignment by its ID (parsed into scope and name, rebuilt); the result says how it went. */
export async function deleteOrphan(
  arm: ArmClients,
  subscriptionId: string,
  a: IdentityAssignment,
  abortSignal?: AbortSignal,
): Promise<OrphanedAssignment> {
  const base = { id: a.id, principalId: a.principalId, roleName: a.roleName, scope: a.scope };
  try {
    const m = TAIL.exec(a.id);
    if (!m || !isGuid(m[2] ?? "")) throw new MiauthError(`not a role assignment ID: '${a.id}'`);
    const scope = parseScope(m[1] || "/", "role assignment scope");
    const auth = await arm.authorization(scopeSubscription(scope) ?? subscriptionId);
    try {
      await auth.roleAssignments.delete(sdkScope(scope), (m[2] ?? "").toLowerCase(), { abortSignal });
    } catch (err) {
      throw translateAzureError(err);
    }
    return { ...base, result: "deleted" };
  } catch (err) {
    if (abortSignal?.aborted) throw err;
    const e = err instanceof MiauthError ? err : new MiauthError(String(err));
    return {
      ...base,
      result: "failed",
      error: { code: e.azureCode ?? null, message: e.message, exitCode: e.exitCode },
    };
  }
}
