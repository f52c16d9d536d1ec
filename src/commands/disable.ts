import { Command } from "commander";
import { parseUserAssignedId } from "../azure/ids.js";
import { parseTargets, type RawTargetOptions } from "../azure/target.js";
import type { Runner } from "../cli.js";
import { applyIdentityChange } from "./apply.js";
import { addTargetOptions, collect, examples, parseDuration } from "./shared.js";

interface DisableOptions extends RawTargetOptions {
  userAssigned?: string[];
  dryRun?: boolean;
  wait: boolean;
  timeout: string;
}

export function disableCommand(run: Runner): Command {
  return addTargetOptions(
    new Command("disable").description(
      "Remove the system-assigned identity (user-assigned ones stay), or with --user-assigned only that one",
    ),
  )
    .option("--user-assigned <resourceId>", "detach only this user-assigned identity (repeatable)", collect)
    .option("--dry-run", "print the planned change, write nothing")
    .option("--no-wait", "VMs: return once ARM accepted the change")
    .option("--timeout <duration>", "VMs: how long to wait for the update to finish (exit 6 after)", "10m")
    .addHelpText(
      "after",
      examples([
        "miauth disable --webapp msdocs-web -g msdocs-sdk-auth-example",
        "miauth disable --functionapp msdocs-func -g msdocs-sdk-auth-example --user-assigned /subscriptions/…/userAssignedIdentities/msdocs-uami",
      ]),
    )
    .action(
      run<DisableOptions>(async (ctx, opts) => {
        const targets = parseTargets(opts);
        const userAssigned = (opts.userAssigned ?? []).map(parseUserAssignedId);
        await applyIdentityChange(ctx, targets, {
          change:
            userAssigned.length > 0
              ? { system: "keep", addUserAssigned: [], removeUserAssigned: userAssigned }
              : { system: "disable", addUserAssigned: [], removeUserAssigned: [] },
          dryRun: opts.dryRun === true,
          noWait: !opts.wait,
          timeoutMs: parseDuration("--timeout", opts.timeout),
        });
      }),
    );
}
