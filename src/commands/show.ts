import "./definition-kit.js";
import { Command } from "commander";
import type { IdentityAssignment } from "../azure/assignments.js";
import { parseTargets, type RawTargetOptions } from "../azure/target.js";
import type { Context } from "../context.js";
import { PermissionError } from "../errors.js";
import type { Runner } from "./runner.js";
import { addTargetOptions, examples, oneOrMany } from "./shared.js";
import { addTimeoutOption } from "./timeout.js";

export function showCommand(run: Runner): Command {
  return addTimeoutOption(
    addTargetOptions(
      new Command("show").description(
        "Show the managed identity of a web app, function app or VM, and its role assignments",
      ),
    ),
    "2m",
  )
    .addHelpText(
      "after",
      examples([
        "miauth show --webapp msdocs-web -g msdocs-sdk-auth-example",
        "miauth show --webapp msdocs-web -g msdocs-sdk-auth-example --query roleAssignments -o table",
        "miauth show --ids /subscriptions/…/resourceGroups/msdocs-sdk-auth-example/providers/Microsoft.Compute/virtualMachines/msdocs-vm -o yaml",
      ]),
    )
    .action(
      run<RawTargetOptions>(async (ctx, opts) => {
        const targets = parseTargets(opts);
        const { showIdentity, kindWarning, showTable } = await import("./actions.js");
        const arm = await ctx.arm();
        const sub = await ctx.subscriptionFor(targets);
        const results = [];
        for (const target of targets) {
          const view = await showIdentity(arm, target, sub, ctx.signal);
          const wrongKind = kindWarning(target, view.kind);
          if (wrongKind) ctx.warn(wrongKind);
          const principals = [
            view.principalId,
            ...Object.values(view.userAssignedIdentities ?? {}).map((u) => u.principalId),
          ];
          const ids = principals.filter((p): p is string => typeof p === "string" && p !== "");
          results.push({
            ...view,
            roleAssignments: await roleAssignments(ctx, target.subscriptionId ?? sub, ids),
          });
        }
        ctx.print(oneOrMany(targets, results), { table: showTable });
      }),
    );
}

/** The identities' assignments; a caller who may not read them still sees the identity (null, and a warning). */
async function roleAssignments(
  ctx: Context,
  subscriptionId: string,
  principalIds: string[],
): Promise<IdentityAssignment[] | null> {
  if (principalIds.length === 0) return [];
  const { assignmentsOf } = await import("./actions.js");
  try {
    return await assignmentsOf(await ctx.arm(), subscriptionId, principalIds, ctx.signal);
  } catch (err) {
    if (!(err instanceof PermissionError)) throw err;
    ctx.warn(`cannot list role assignments: ${err.message}`);
    return null;
  }
}
