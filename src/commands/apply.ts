// The part enable and disable share: read and plan every target first (so a missing one stops the
// run before any write), then write each in turn, with a spinner for VMs.
import {
  type ApplyOptions,
  applyChange,
  dryRunResult,
  isBusy,
  type PlannedChange,
  planChange,
} from "../azure/identity.js";
import { sameId } from "../azure/ids.js";
import { describeTarget, type Target } from "../azure/target.js";
import { kindWarning } from "../azure/target-kind.js";
import type { Context } from "../context.js";
import { identityChangeTable as table } from "../output/identity-table.js";
import { startSpinner } from "../output/spinner.js";
import type { ChangeFlags } from "./change-options.js";
import { oneOrMany } from "./shared.js";

/** What a command adds to the shared run (disable: the role assignments its removed identity leaves). */
export interface ChangeHooks {
  /** Once every target is read and planned, before any write: may refuse (nothing is written then). */
  planned?(plans: PlannedChange[]): Promise<void>;
  /** Fields added to a target's result: after its write, or in a dry run instead of it. */
  extra?(p: PlannedChange, dryRun: boolean): Promise<Record<string, unknown>>;
  /** After the results are printed: may fail the run for what they report. */
  done?(): void;
}

export async function applyIdentityChange(
  ctx: Context,
  targets: Target[],
  flags: ChangeFlags,
  hooks: ChangeHooks = {},
): Promise<void> {
  const arm = await ctx.arm();
  const sub = await ctx.subscriptionFor(targets);
  const plans = [];
  const changeOf = (t: Target) => flags.changeFor?.(t, sub) ?? flags.change;
  for (const target of targets) plans.push(await planChange(arm, target, sub, changeOf(target), ctx.signal));
  for (const p of plans) {
    const wrongKind = kindWarning(p.target, p.current.kind);
    if (wrongKind) ctx.warn(wrongKind);
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
  await hooks.planned?.(plans);
  if (flags.dryRun) {
    const dry = [];
    for (const p of plans) dry.push({ ...dryRunResult(p), ...(await hooks.extra?.(p, true)) });
    ctx.print(oneOrMany(targets, dry), { table });
    return hooks.done?.();
  }

  const results: Record<string, unknown>[] = [];
  for (const p of plans) {
    const spinner =
      (p.target.kind === "vm" || p.target.kind === "containerapp") && p.plan.changed
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
      // In the results first: should what follows the write fail, the write is still reported.
      const result: Record<string, unknown> = { ...(await applyChange(arm, p, opts)) };
      results.push(result);
      ctx.verbose(`${describeTarget(p.target)}: ${result.result}`);
      Object.assign(result, await hooks.extra?.(p, false));
    } catch (err) {
      // What was already written must not go unreported.
      try {
        if (results.length > 0) ctx.print(results, { wrote: true, table });
      } catch {
        // The results went out unfiltered; the write's own error is the one to report.
      }
      throw err;
    } finally {
      spinner?.stop();
    }
  }
  ctx.print(oneOrMany(targets, results), { wrote: true, table });
  hooks.done?.();
}
