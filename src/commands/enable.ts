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

interface EnableOptions extends RawTargetOptions, RawChangeOptions {
  userAssigned?: string[];
  identityResourceGroup?: string;
  systemAssigned: boolean;
}

export function enableCommand(run: Runner): Command {
  const cmd = new Command("enable").description(
    "Enable the system-assigned managed identity (and attach user-assigned ones) on a web app, function app or VM",
  );
  return addIdentityGroupOption(
    addChangeOptions(addTargetOptions(cmd)).option(
      "--user-assigned <name|id>",
      "also attach this user-assigned identity: a name (in the target's group) or a resource ID (repeatable)",
      collect,
    ),
  )
    .option("--no-system-assigned", "attach only the --user-assigned identities")
    .addHelpText(
      "after",
      examples([
        "miauth enable --webapp msdocs-web -g msdocs-sdk-auth-example",
        "miauth enable --vm msdocs-vm -g msdocs-sdk-auth-example --query principalId -o tsv",
        "miauth enable --functionapp msdocs-func -g msdocs-sdk-auth-example --user-assigned msdocs-uami",
      ]),
    )
    .action(
      run<EnableOptions>(async (ctx, opts) => {
        const targets = parseTargets(opts);
        const userAssigned = parseUserAssignedRefs(opts.userAssigned ?? [], opts.identityResourceGroup);
        if (!opts.systemAssigned && userAssigned.length === 0) {
          throw new UsageError("--no-system-assigned needs at least one --user-assigned identity");
        }
        const system = opts.systemAssigned ? "enable" : "keep";
        const changeFor = userAssignedChange(system, userAssigned, []);
        const flags = {
          ...changeFlags(opts, { system, addUserAssigned: [], removeUserAssigned: [] }),
          changeFor,
        };
        const { applyIdentityChange } = await import("./actions.js");
        await applyIdentityChange(ctx, targets, flags);
      }),
    );
}
