import { Command } from "commander";
import { parseUserAssignedRefs } from "../azure/ids.js";
import { parseTargets, type RawTargetOptions } from "../azure/target.js";
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
    .addHelpText(
      "after",
      examples([
        "miauth disable --webapp msdocs-web -g msdocs-sdk-auth-example",
        "miauth disable --functionapp msdocs-func -g msdocs-sdk-auth-example --user-assigned msdocs-uami",
      ]),
    )
    .action(
      run<DisableOptions>(async (ctx, opts) => {
        const targets = parseTargets(opts);
        const userAssigned = parseUserAssignedRefs(opts.userAssigned ?? [], opts.identityResourceGroup);
        const system = userAssigned.length > 0 ? ("keep" as const) : ("disable" as const);
        const flags = {
          ...changeFlags(opts, { system, addUserAssigned: [], removeUserAssigned: [] }),
          changeFor: userAssignedChange(system, [], userAssigned),
        };
        const { applyIdentityChange } = await import("./apply.js");
        await applyIdentityChange(ctx, targets, flags);
      }),
    );
}
