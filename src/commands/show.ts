import { Command } from "commander";
import { showIdentity } from "../azure/identity.js";
import { parseTargets, type RawTargetOptions } from "../azure/target.js";
import type { Runner } from "../cli.js";
import { addTargetOptions, examples, oneOrMany } from "./shared.js";

export function showCommand(run: Runner): Command {
  return addTargetOptions(
    new Command("show").description("Show the managed identity of a web app, function app or VM"),
  )
    .addHelpText(
      "after",
      examples([
        "miauth show --webapp msdocs-web -g msdocs-sdk-auth-example",
        "miauth show --ids /subscriptions/…/resourceGroups/msdocs-sdk-auth-example/providers/Microsoft.Compute/virtualMachines/msdocs-vm -o yaml",
      ]),
    )
    .action(
      run<RawTargetOptions>(async (ctx, opts) => {
        const targets = parseTargets(opts);
        const arm = await ctx.arm();
        const needsSub = targets.some((t) => t.subscriptionId === undefined);
        const sub = needsSub ? await ctx.subscriptionId() : "";
        const results = [];
        for (const target of targets) results.push(await showIdentity(arm, target, sub));
        ctx.print(oneOrMany(targets, results));
      }),
    );
}
