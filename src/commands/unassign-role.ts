import "./definition-kit.js";
import { Command } from "commander";
import { addRoleOptions, type RawRoleOptions } from "./role-flags.js";
import type { Runner } from "./runner.js";
import { examples } from "./shared.js";
import { addTimeoutOption } from "./timeout.js";

export function unassignRoleCommand(run: Runner): Command {
  return addTimeoutOption(
    addRoleOptions(
      new Command("unassign-role").description("Remove a role assignment; does nothing if there is none"),
      "unassign",
    ),
    "5m",
  )
    .addHelpText(
      "after",
      examples([
        'miauth unassign-role --webapp msdocs-web -g msdocs-sdk-auth-example --role "Storage Blob Data Contributor"',
      ]),
    )
    .action(
      run<RawRoleOptions>(async (ctx, raw) => {
        const { unassignRole, resolveRoleRequest, runForEach, parseRoleOptions } = await import(
          "./actions.js"
        );
        const opts = parseRoleOptions(raw, "unassign");
        const resolved = await resolveRoleRequest(ctx, opts);
        const arm = await ctx.arm();
        await runForEach(ctx, resolved, opts, (req, signal) =>
          unassignRole(arm, req, { dryRun: opts.dryRun, abortSignal: signal }),
        );
      }),
    );
}
