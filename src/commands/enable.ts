import { Command } from "commander";
import { parseUserAssignedId } from "../azure/ids.js";
import { parseTargets, type RawTargetOptions } from "../azure/target.js";
import type { Runner } from "../cli.js";
import { UsageError } from "../errors.js";
import { applyIdentityChange } from "./apply.js";
import { addTargetOptions, collect, examples, parseDuration } from "./shared.js";

interface EnableOptions extends RawTargetOptions {
  userAssigned?: string[];
  systemAssigned: boolean;
  dryRun?: boolean;
  wait: boolean;
  timeout: string;
}

export function enableCommand(run: Runner): Command {
  return addTargetOptions(
    new Command("enable").description(
      "Enable the system-assigned managed identity (and attach user-assigned ones) on a web app, function app or VM",
    ),
  )
    .option("--user-assigned <resourceId>", "also attach this user-assigned identity (repeatable)", collect)
    .option("--no-system-assigned", "attach only the --user-assigned identities")
    .option("--dry-run", "print the planned change, write nothing")
    .option("--no-wait", "VMs: return once ARM accepted the change")
    .option("--timeout <duration>", "VMs: how long to wait for the update to finish (exit 6 after)", "10m")
    .addHelpText(
      "after",
      examples([
        "miauth enable --webapp msdocs-web -g msdocs-sdk-auth-example",
        "miauth enable --vm msdocs-vm -g msdocs-sdk-auth-example --query principalId -o tsv",
        "miauth enable --functionapp msdocs-func -g msdocs-sdk-auth-example --user-assigned /subscriptions/…/userAssignedIdentities/msdocs-uami",
      ]),
    )
    .action(
      run<EnableOptions>(async (ctx, opts) => {
        const targets = parseTargets(opts);
        const userAssigned = (opts.userAssigned ?? []).map(parseUserAssignedId);
        if (!opts.systemAssigned && userAssigned.length === 0) {
          throw new UsageError("--no-system-assigned needs at least one --user-assigned ID");
        }
        await applyIdentityChange(ctx, targets, {
          change: {
            system: opts.systemAssigned ? "enable" : "keep",
            addUserAssigned: userAssigned,
            removeUserAssigned: [],
          },
          dryRun: opts.dryRun === true,
          noWait: !opts.wait,
          timeoutMs: parseDuration("--timeout", opts.timeout),
        });
      }),
    );
}
