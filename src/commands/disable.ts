import "./definition-kit.js";
import { Command } from "commander";
import { parseUserAssignedRefs } from "../azure/ids.js";
import { parseTargets, type RawTargetOptions } from "../azure/target.js";
import { UsageError } from "../errors.js";
import {
  addChangeOptions,
  addIdentityGroupOption,
  changeFlags,
  type RawChangeOptions,
  userAssignedChange,
} from "./change-options.js";
import type { Runner } from "./runner.js";
import { addTargetOptions, collect, examples } from "./shared.js";

interface DisableOptions extends RawTargetOptions, RawChangeOptions {
  userAssigned?: string[];
  removeAssignments?: boolean;
  identityResourceGroup?: string;
}

export function disableCommand(run: Runner): Command {
  const cmd = new Command("disable").description(
    "Remove the system-assigned identity (user-assigned ones stay), or with --user-assigned only that one",
  );
  return addIdentityGroupOption(
    addChangeOptions(addTargetOptions(cmd)).option(
      "--user-assigned <name|id>",
      "detach only this user-assigned identity: a name (in the target's group) or a resource ID (repeatable)",
      collect,
    ),
  )
    .option(
      "--remove-assignments",
      "also delete the role assignments the removed system-assigned identity leaves behind",
    )
    .addHelpText(
      "after",
      examples([
        "miauth disable --webapp msdocs-web -g msdocs-sdk-auth-example",
        "miauth disable --webapp msdocs-web -g msdocs-sdk-auth-example --remove-assignments --dry-run",
        "miauth disable --functionapp msdocs-func -g msdocs-sdk-auth-example --user-assigned msdocs-uami",
      ]),
    )
    .action(
      run<DisableOptions>(async (ctx, opts) => {
        const targets = parseTargets(opts);
        const userAssigned = parseUserAssignedRefs(opts.userAssigned ?? [], opts.identityResourceGroup);
        if (opts.removeAssignments && userAssigned.length > 0)
          throw new UsageError(
            "--remove-assignments is for the system-assigned identity: a detached user-assigned identity keeps its role assignments",
          );
        const system = userAssigned.length > 0 ? ("keep" as const) : ("disable" as const);
        const flags = {
          ...changeFlags(opts, { system, addUserAssigned: [], removeUserAssigned: [] }),
          changeFor: userAssignedChange(system, [], userAssigned),
        };
        const { applyIdentityChange, orphanHooks } = await import("./actions.js");
        const hooks = system === "disable" ? orphanHooks(ctx, opts.removeAssignments === true) : {};
        await applyIdentityChange(ctx, targets, flags, hooks);
      }),
    );
}
