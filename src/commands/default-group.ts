// -g for a target named by --webapp/--functionapp/--vm, when not given: the Azure CLI's default group.

import { defaultResourceGroup } from "../azure/defaults.js";
import type { Context } from "../context.js";

interface RawGroupOptions {
  resourceGroup?: string;
  webapp?: string;
  functionapp?: string;
  vm?: string;
}

/** Fills opts.resourceGroup from the az default when a target is named without -g; says so with --verbose. */
export async function applyDefaultGroup(ctx: Context, opts: RawGroupOptions): Promise<void> {
  if (opts.resourceGroup !== undefined) return;
  if (opts.webapp === undefined && opts.functionapp === undefined && opts.vm === undefined) return;
  const found = await defaultResourceGroup(ctx.env);
  if (!found) return;
  opts.resourceGroup = found.name;
  ctx.verbose(`-g ${found.name} (from ${found.source}; an explicit -g wins)`);
}
