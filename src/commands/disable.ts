import { Command } from "commander";
import { parseUserAssignedId } from "../azure/ids.js";
import { parseTargets, type RawTargetOptions } from "../azure/target.js";
import { UsageError } from "../errors.js";
import { addChangeOptions, changeFlags, type RawChangeOptions } from "./change-options.js";
import type { Runner } from "./runner.js";
import { addTargetOptions, collect, examples } from "./shared.js";

interface DisableOptions extends RawTargetOptions, RawChangeOptions {
  userAssigned?: string[];
  removeAssignments?: boolean;
}

export function disableCommand(run: Runner): Command {
  const cmd = new Command("disable").description(
    "Remove the system-assigned identity (user-assigned ones stay), or with --user-assigned only that one",
  );
  return addChangeOptions(addTargetOptions(cmd))
    .option("--user-assigned <resourceId>", "detach only this user-assigned identity (repeatable)", collect)
    .option(
      "--remove-assignments",
      "also delete the role assignments the removed system-assigned identity leaves behind",
    )
    .addHelpText(
      "after",
      examples([
        "miauth disable --webapp msdocs-web -g msdocs-sdk-auth-example",
        "miauth disable --webapp msdocs-web -g msdocs-sdk-auth-example --remove-assignments --dry-run",
        "miauth disable --functionapp msdocs-func -g msdocs-sdk-auth-example --user-assigned /subscriptions/…/userAssignedIdentities/msdocs-uami",
      ]),
    )
    .action(
      run<DisableOptions>(async (ctx, opts) => {
        const targets = parseTargets(opts);
        const userAssigned = (opts.userAssigned ?? []).map(parseUserAssignedId);
        if (opts.removeAssignments && userAssigned.length > 0)
          throw new UsageError(
            "--remove-assignments is for the system-assigned identity: a detached user-assigned identity keeps its role assignments",
          );
        const change =
          userAssigned.length > 0
            ? { system: "keep" as const, addUserAssigned: [], removeUserAssigned: userAssigned }
            : { system: "disable" as const, addUserAssigned: [], removeUserAssigned: [] };
        const { applyIdentityChange } = await import("./apply.js");
        const { orphanHooks } = await import("./disable-orphans.js");
        const hooks = change.system === "disable" ? orphanHooks(ctx, opts.removeAssignments === true) : {};
        await applyIdentityChange(ctx, targets, changeFlags(opts, change), hooks);
      }),
    );
}
