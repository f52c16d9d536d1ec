// disable's part about the role assignments a removed system-assigned identity leaves behind: listed
// before the write (with --remove-assignments a listing refused stops the run, nothing written), shown
// in each result as `orphanedAssignments`, and with --remove-assignments deleted after the identity is.
import type { IdentityAssignment } from "../azure/assignments.js";
import type { PlannedChange } from "../azure/identity.js";
import { hasSystemAssigned } from "../azure/identity-merge.js";
import { deleteOrphan, listOrphans, type OrphanedAssignment } from "../azure/orphans.js";
import { describeTarget } from "../azure/target.js";
import type { Context } from "../context.js";
import { PermissionError, ReportedFailure } from "../errors.js";
import type { ChangeHooks } from "./apply.js";

export function orphanHooks(ctx: Context, remove: boolean): ChangeHooks {
  // Per plan: the assignments found, or null when they could not be listed.
  const found = new Map<PlannedChange, IdentityAssignment[] | null>();
  const failed: OrphanedAssignment[] = [];
  let total = 0;
  return {
    async planned(plans) {
      const arm = await ctx.arm();
      for (const p of plans) {
        const principalId = hasSystemAssigned(p.current.identity) ? p.current.identity?.principalId : null;
        if (!principalId || !p.plan.changed) continue;
        try {
          found.set(p, await listOrphans(arm, p.subscriptionId, principalId, ctx.signal));
        } catch (err) {
          if (!(err instanceof PermissionError)) throw err;
          if (remove)
            throw new PermissionError(
              `cannot list the role assignments of ${describeTarget(p.target)}'s identity, so --remove-assignments cannot delete them: ${err.message}; nothing was changed`,
              {
                azureCode: err.azureCode,
                cause: err,
                hint: err.hint ?? "run without --remove-assignments to disable it anyway",
              },
            );
          ctx.warn(
            `cannot list the role assignments the identity of ${describeTarget(p.target)} leaves behind: ${err.message}`,
          );
          found.set(p, null);
        }
      }
    },
    async extra(p, dryRun) {
      const list = found.get(p);
      if (list === undefined) return { orphanedAssignments: [] };
      if (list === null) return { orphanedAssignments: null };
      const what = describeTarget(p.target);
      const keep = (result: OrphanedAssignment["result"]): OrphanedAssignment[] =>
        list.map((a) => ({
          id: a.id,
          principalId: a.principalId,
          roleName: a.roleName,
          scope: a.scope,
          result,
        }));
      if (list.length === 0) return { orphanedAssignments: [] };
      if (dryRun) {
        ctx.warn(
          `${list.length} role assignment(s) of the identity of ${what} would be left behind ("Identity not found" in the portal)${remove ? "; --remove-assignments deletes them after the identity" : "; add --remove-assignments to delete them in the same run"}`,
        );
        return { orphanedAssignments: keep(remove ? "would-delete" : "kept") };
      }
      if (!remove) {
        ctx.warn(
          `left ${list.length} role assignment(s) of the removed identity of ${what} ("Identity not found" in the portal); --remove-assignments deletes them in the same run`,
        );
        for (const a of list)
          ctx.warn(
            `left '${a.roleName}' at ${a.scope}; delete it with: miauth unassign-role --assignee ${a.principalId} --role "${a.roleName}" --scope ${a.scope}`,
          );
        return { orphanedAssignments: keep("kept") };
      }
      const arm = await ctx.arm();
      const out: OrphanedAssignment[] = [];
      for (const a of list) {
        const r = await deleteOrphan(arm, p.subscriptionId, a, ctx.signal);
        ctx.verbose(`role assignment ${a.id}: ${r.result}`);
        if (r.result === "failed") failed.push(r);
        out.push(r);
      }
      total += out.length;
      return { orphanedAssignments: out };
    },
    done() {
      const first = failed[0];
      if (!first) return;
      const codes = [...new Set(failed.map((f) => f.error?.exitCode ?? 1))];
      throw new ReportedFailure(
        `the identity was removed, but ${failed.length} of ${total} of its role assignments could not be deleted; the first: ${first.error?.message ?? ""}`,
        (codes.length === 1 ? codes[0] : 1) as ReportedFailure["exitCode"],
        {
          hint: "each one is in the output (orphanedAssignments) with its error; delete them with miauth unassign-role or in the portal",
        },
      );
    },
  };
}
