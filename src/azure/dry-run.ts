// The one shape of a dry run: every mutating command's dry run (enable, disable, assign-role,
// unassign-role) prints, per item, `result` ("would-…" or "unchanged"), `dryRun: true`, and the
// state `before` and `after` the change it would make (null where there is none).
import type { AssignmentResult } from "./assignments.js";

/** A role assignment as it is, or would be. */
export interface AssignmentState {
  id: string | null;
  name: string | null;
  principalId: string;
  principalType: string | null;
  roleDefinitionId: string;
  roleDefinitionName: string;
  scope: string;
}

export type AssignmentDryRun = AssignmentResult & {
  dryRun: true;
  before: AssignmentState | null;
  after: AssignmentState | null;
};

function stateOf(r: AssignmentResult): AssignmentState {
  return {
    // The assignment a real run creates has the name the dry run reports, so its ID is known too.
    id: r.id ?? (r.name ? `${r.scope}/providers/Microsoft.Authorization/roleAssignments/${r.name}` : null),
    name: r.name,
    principalId: r.principalId,
    principalType: r.principalType,
    roleDefinitionId: r.roleDefinitionId,
    roleDefinitionName: r.roleDefinitionName,
    scope: r.scope,
  };
}

/** An assign-role/unassign-role result under --dry-run, with its before and after (a failed item as it is). */
export function assignmentDryRun(r: AssignmentResult): AssignmentResult | AssignmentDryRun {
  switch (r.result) {
    case "would-create":
      return { ...r, dryRun: true, before: null, after: stateOf(r) };
    case "would-delete":
      return { ...r, dryRun: true, before: stateOf(r), after: null };
    case "unchanged": {
      // assign-role: the assignment is there (it has an ID); unassign-role: there is none to remove.
      const now = r.id === null && r.name === null ? null : stateOf(r);
      return { ...r, dryRun: true, before: now, after: now };
    }
    default:
      return r;
  }
}
