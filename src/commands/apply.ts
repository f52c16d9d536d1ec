// The part enable and disable share: resolve, change each target in turn, show progress, print.
import type { changeIdentity as ChangeIdentity } from "../azure/identity.js";
import type { IdentityChange } from "../azure/identity-merge.js";
import { describeTarget, type Target } from "../azure/target.js";
import type { Context } from "../context.js";
import { startSpinner } from "../output/spinner.js";
import { oneOrMany } from "./shared.js";

export interface ApplyOptions {
  change: IdentityChange;
  dryRun: boolean;
  noWait: boolean;
}

export async function applyIdentityChange(
  ctx: Context,
  targets: Target[],
  change: typeof ChangeIdentity,
  opts: ApplyOptions,
): Promise<void> {
  const arm = await ctx.arm();
  const needsSub = targets.some((t) => t.subscriptionId === undefined);
  const sub = needsSub ? await ctx.subscriptionId() : "";
  const results = [];
  for (const target of targets) {
    const spinner =
      target.kind === "vm" && !opts.dryRun
        ? startSpinner(ctx.io, `updating ${describeTarget(target)}`)
        : undefined;
    try {
      const result = await change(arm, target, sub, opts.change, {
        dryRun: opts.dryRun,
        noWait: opts.noWait,
        abortSignal: ctx.signal,
        onProgress: (status) => spinner?.update(`updating ${describeTarget(target)}: ${status}`),
      });
      ctx.verbose(`${describeTarget(target)}: ${result.result}`);
      results.push(result);
    } finally {
      spinner?.stop();
    }
  }
  ctx.print(oneOrMany(targets, results));
}
