// miauth setup's action: validates the options, reads, plans, asks, writes, checks (src/azure/setup/).
// Loaded only when setup runs (its definition, ./setup.ts, is what --help loads).
import { runSetup, SetupFailed } from "../azure/setup/index.js";
import type { Context } from "../context.js";
import { ExitCode, type ExitCodeValue, ReportedFailure, UsageError } from "../errors.js";
import { planSummary, resultSummary } from "../output/setup-summary.js";
import { askYesNo } from "./actions.js";
import type { RawSetupOptions } from "./setup.js";
import { parseSetupOptions } from "./setup-options.js";

export async function setupAction(ctx: Context, raw: RawSetupOptions): Promise<void> {
  const input = parseSetupOptions(raw);
  const arm = await ctx.arm();
  const subscriptionId = await ctx.subscriptionFor([input.target]);
  const human = ctx.io.stderrIsTTY || ctx.globals.verbose;
  try {
    const result = await runSetup(
      { arm, appSettings: () => arm.appSettings(input.target.subscriptionId ?? subscriptionId) },
      { ...input, subscriptionId },
      {
        signal: ctx.signal,
        warn: (line) => ctx.warn(line),
        timedOutText: ctx.timedOutText(),
        confirm: async (plan) => {
          if (human || (ctx.io.stdinIsTTY && !input.yes))
            ctx.io.stderr.write(planSummary(plan, ctx.io.paint));
          if (input.yes || !ctx.io.stdinIsTTY) return true;
          return askYesNo(ctx.io, "Make these changes?", ctx.signal);
        },
      },
    );
    if (result.dryRun && human) ctx.io.stderr.write(planSummary(result, ctx.io.paint));
    ctx.print(result, { wrote: result.result === "updated" });
    if (result.result === "declined") throw new UsageError("not confirmed; nothing was changed");
    if (!result.dryRun) ctx.io.stderr.write(resultSummary(result, ctx.io.paint));
  } catch (err) {
    if (!(err instanceof SetupFailed)) throw err;
    ctx.print(err.result, { wrote: true });
    ctx.io.stderr.write(resultSummary(err.result, ctx.io.paint));
    const failed = err.result.steps.find((s) => s.result === "failed");
    throw new ReportedFailure(
      `setup stopped at the ${failed?.step ?? "?"} step: ${failed?.error?.message ?? err.message}`,
      (failed?.error?.exitCode ?? ExitCode.failure) as ExitCodeValue,
      { hint: "the steps before it are done; run the same command again to finish" },
    );
  }
}
