// Enable, disable and show managed identities on web apps, function apps and VMs.
// Plain functions: clients come in as arguments, results go out as plain objects; nothing prints.
import { MiauthError, TimeoutError } from "../errors.js";
import type { ArmClients } from "./clients.js";
import { translateAzureError } from "./errors.js";
import {
  type IdentityChange,
  type IdentityPlan,
  type IdentityView,
  planIdentity,
  viewOf,
  type WireIdentity,
} from "./identity-merge.js";
import { describeTarget, type Target, targetResourceId } from "./target.js";

export interface ResourceIdentity {
  resourceId: string;
  /** ARM's `kind` for sites (app, functionapp,linux, …); "vm" for virtual machines. */
  kind: string;
  identity: WireIdentity | undefined;
}

export type IdentityResult = IdentityView & {
  resourceId: string;
  result: "updated" | "unchanged" | "accepted";
};

export interface DryRunResult {
  resourceId: string;
  result: "would-update" | "unchanged";
  dryRun: true;
  before: IdentityView;
  after: IdentityView;
}

export interface PlannedChange {
  target: Target;
  subscriptionId: string;
  current: ResourceIdentity;
  plan: IdentityPlan;
}

export interface ApplyOptions {
  /** VMs only: return once ARM accepted the long-running PATCH. */
  noWait?: boolean;
  /** VMs only: give up waiting for the long-running PATCH after this long (exit 6). */
  timeoutMs?: number;
  pollIntervalMs?: number;
  onProgress?: (status: string) => void;
  abortSignal?: AbortSignal;
}

export async function readIdentity(
  arm: ArmClients,
  target: Target,
  subscriptionId: string,
  abortSignal?: AbortSignal,
): Promise<ResourceIdentity> {
  const sub = target.subscriptionId ?? subscriptionId;
  const resourceId = targetResourceId(target, sub);
  try {
    if (target.kind === "vm") {
      const vm = await (await arm.compute(sub)).virtualMachines.get(target.resourceGroup, target.name, {
        abortSignal,
      });
      return {
        resourceId: vm.id ?? resourceId,
        kind: "vm",
        identity: vm.identity as WireIdentity | undefined,
      };
    }
    const site = await (await arm.web(sub)).webApps.get(target.resourceGroup, target.name, { abortSignal });
    return {
      resourceId: site.id ?? resourceId,
      kind: site.kind ?? "app",
      identity: site.identity as WireIdentity | undefined,
    };
  } catch (err) {
    throw translateAzureError(err, { what: describeTarget(target) });
  }
}

export async function showIdentity(
  arm: ArmClients,
  target: Target,
  subscriptionId: string,
  abortSignal?: AbortSignal,
) {
  const current = await readIdentity(arm, target, subscriptionId, abortSignal);
  return { ...viewOf(current.identity), resourceId: current.resourceId, kind: current.kind };
}

/** Reads the resource and works out the change; writes nothing. */
export async function planChange(
  arm: ArmClients,
  target: Target,
  subscriptionId: string,
  change: IdentityChange,
  abortSignal?: AbortSignal,
): Promise<PlannedChange> {
  const current = await readIdentity(arm, target, subscriptionId, abortSignal);
  return {
    target,
    subscriptionId: target.subscriptionId ?? subscriptionId,
    current,
    plan: planIdentity(current.identity, change),
  };
}

export function dryRunResult(p: PlannedChange): DryRunResult {
  return {
    resourceId: p.current.resourceId,
    result: p.plan.changed ? "would-update" : "unchanged",
    dryRun: true,
    before: p.plan.before,
    after: p.plan.after,
  };
}

/** Writes a planned change, if it changes anything. */
export async function applyChange(
  arm: ArmClients,
  p: PlannedChange,
  opts: ApplyOptions = {},
): Promise<IdentityResult> {
  const { target, plan, current } = p;
  if (!plan.changed || !plan.request)
    return { ...plan.before, resourceId: current.resourceId, result: "unchanged" };
  try {
    if (target.kind === "vm") return await updateVm(arm, p, plan.request, opts);
    const site = await (await arm.web(p.subscriptionId)).webApps.update(
      target.resourceGroup,
      target.name,
      { identity: plan.request as never },
      { abortSignal: opts.abortSignal },
    );
    return { ...viewOf(site.identity as WireIdentity), resourceId: current.resourceId, result: "updated" };
  } catch (err) {
    throw translateAzureError(err, { what: describeTarget(target) });
  }
}

async function updateVm(
  arm: ArmClients,
  p: PlannedChange,
  request: WireIdentity,
  opts: ApplyOptions,
): Promise<IdentityResult> {
  const { target, current } = p;
  const vms = (await arm.compute(p.subscriptionId)).virtualMachines;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 600_000);
  const abortSignal = opts.abortSignal ? AbortSignal.any([opts.abortSignal, timeout]) : timeout;
  const poller = vms.update(
    target.resourceGroup,
    target.name,
    { identity: request as never },
    { updateIntervalInMs: opts.pollIntervalMs ?? 1000, abortSignal },
  );
  if (opts.noWait) {
    await poller.submitted();
    // The poller keeps the accepted body to itself; one GET shows the identity ARM assigned.
    const vm = await vms.get(target.resourceGroup, target.name, { abortSignal: opts.abortSignal });
    return { ...viewOf(vm.identity as WireIdentity), resourceId: current.resourceId, result: "accepted" };
  }
  poller.onProgress((state) => opts.onProgress?.(state.status));
  try {
    const vm = await poller;
    return { ...viewOf(vm.identity as WireIdentity), resourceId: current.resourceId, result: "updated" };
  } catch (err) {
    // The command's deadline (the same --timeout) aborts opts.abortSignal with a TimeoutError reason.
    const deadline = (opts.abortSignal?.reason as Error | undefined)?.name === "TimeoutError";
    if ((timeout.aborted && !opts.abortSignal?.aborted) || deadline) {
      throw new TimeoutError(
        `timed out after ${Math.round((opts.timeoutMs ?? 600_000) / 1000)}s waiting for ${describeTarget(target)} to finish updating`,
        {
          hint: "the update goes on in Azure; check it with: miauth show, or run again later",
        },
      );
    }
    if ((err as { statusCode?: number }).statusCode === undefined && (err as Error).name !== "AbortError") {
      // core-lro reports a Failed operation as a plain Error carrying the operation's error.
      throw new MiauthError(
        `updating ${describeTarget(target)} failed: ${(err as Error).message.replace(/\s+/g, " ")}`,
        {
          cause: err,
          hint: "the identity was not changed; run the command again, or see the VM's activity log",
        },
      );
    }
    throw err;
  }
}
