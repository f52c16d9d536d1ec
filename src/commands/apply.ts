// The part enable and disable share: read and plan every target first (so a missing one stops the
// run before any write), then write each in turn, with a spinner for VMs.
import { type ApplyOptions, applyChange, dryRunResult, isBusy, planChange } from "../azure/identity.js";
import { sameId } from "../azure/ids.js";
import { describeTarget, type Target } from "../azure/target.js";
import type { Context } from "../context.js";
import { startSpinner } from "../output/spinner.js";
import type { ChangeFlags } from "./change-options.js";
import { oneOrMany } from "./shared.js";

export async function applyIdentityChange(
  ctx: Context,
  targets: Target[],
  flags: ChangeFlags,
): Promise<void> {
  const arm = await ctx.arm();
  const sub = await ctx.subscriptionFor(targets);
  const plans = [];
  const changeOf = (t: Target) => flags.changeFor?.(t, sub) ?? flags.change;
  for (const target of targets) plans.push(await planChange(arm, target, sub, changeOf(target), ctx.signal));
  for (const p of plans) {
    const attached = Object.keys(p.plan.before.userAssignedIdentities ?? {});
    for (const id of changeOf(p.target).removeUserAssigned) {
      if (!attached.some((a) => sameId(a, id)))
        ctx.warn(`${describeTarget(p.target)} does not have ${id} attached`);
    }
    if (flags.dryRun && isBusy(p.current))
      ctx.warn(
        `${describeTarget(p.target)} is still running an update (provisioningState ${p.current.provisioningState}): the plan starts from the identity it is being changed to`,
      );
  }
  if (flags.dryRun) return ctx.print(oneOrMany(targets, plans.map(dryRunResult)));

  const results = [];
  for (const p of plans) {
    const spinner =
      p.target.kind === "vm" && p.plan.changed
        ? startSpinner(ctx.io, `updating ${describeTarget(p.target)}`)
        : undefined;
    const opts: ApplyOptions = {
      noWait: flags.noWait,
      abortSignal: ctx.signal,
      timedOutText: ctx.timedOutText(),
      onNote: (message) => ctx.warn(message),
      onProgress: (status) => spinner?.update(`updating ${describeTarget(p.target)}: ${status}`),
    };
    try {
      results.push(await applyChange(arm, p, opts));
      ctx.verbose(`${describeTarget(p.target)}: ${results.at(-1)?.result}`);
    } catch (err) {
      // What was already written must not go unreported.
      try {
        if (results.length > 0) ctx.print(results, { wrote: true });
      } catch {
        // The results went out unfiltered; the write's own error is the one to report.
      }
      throw err;
    } finally {
      spinner?.stop();
    }
  }
  ctx.print(oneOrMany(targets, results), { wrote: true });
}
