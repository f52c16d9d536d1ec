// Enable, disable and show managed identities on web apps, function apps and VMs.
// Plain functions: clients come in as arguments, results go out as plain objects; nothing prints.
import type { ArmClients } from "./clients.js";
import { translateAzureError } from "./errors.js";
import {
  type IdentityChange,
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

export interface ChangeOptions {
  dryRun?: boolean;
  /** VMs only: return once ARM accepted the long-running PATCH. */
  noWait?: boolean;
  pollIntervalMs?: number;
  onProgress?: (status: string) => void;
  abortSignal?: AbortSignal;
}

export async function readIdentity(
  arm: ArmClients,
  target: Target,
  subscriptionId: string,
): Promise<ResourceIdentity> {
  const sub = target.subscriptionId ?? subscriptionId;
  const resourceId = targetResourceId(target, sub);
  try {
    if (target.kind === "vm") {
      const vm = await (await arm.compute(sub)).virtualMachines.get(target.resourceGroup, target.name);
      return {
        resourceId: vm.id ?? resourceId,
        kind: "vm",
        identity: vm.identity as WireIdentity | undefined,
      };
    }
    const site = await (await arm.web(sub)).webApps.get(target.resourceGroup, target.name);
    return {
      resourceId: site.id ?? resourceId,
      kind: site.kind ?? "app",
      identity: site.identity as WireIdentity | undefined,
    };
  } catch (err) {
    throw translateAzureError(err, { what: describeTarget(target) });
  }
}

export async function showIdentity(arm: ArmClients, target: Target, subscriptionId: string) {
  const current = await readIdentity(arm, target, subscriptionId);
  return { ...viewOf(current.identity), resourceId: current.resourceId, kind: current.kind };
}

export async function changeIdentity(
  arm: ArmClients,
  target: Target,
  subscriptionId: string,
  change: IdentityChange,
  opts: ChangeOptions = {},
): Promise<IdentityResult | DryRunResult> {
  const current = await readIdentity(arm, target, subscriptionId);
  const plan = planIdentity(current.identity, change);
  if (opts.dryRun) {
    return {
      resourceId: current.resourceId,
      result: plan.changed ? "would-update" : "unchanged",
      dryRun: true,
      before: plan.before,
      after: plan.after,
    };
  }
  if (!plan.changed || !plan.request) {
    return { ...plan.before, resourceId: current.resourceId, result: "unchanged" };
  }
  const sub = target.subscriptionId ?? subscriptionId;
  try {
    if (target.kind === "vm") {
      const poller = (await arm.compute(sub)).virtualMachines.update(
        target.resourceGroup,
        target.name,
        { identity: plan.request as never },
        { updateIntervalInMs: opts.pollIntervalMs ?? 1000, abortSignal: opts.abortSignal },
      );
      if (opts.noWait) {
        await poller.submitted();
        const accepted = viewOf((poller.result?.identity ?? plan.after) as WireIdentity);
        return { ...accepted, resourceId: current.resourceId, result: "accepted" };
      }
      poller.onProgress((state) => opts.onProgress?.(state.status));
      const vm = await poller;
      return { ...viewOf(vm.identity as WireIdentity), resourceId: current.resourceId, result: "updated" };
    }
    const site = await (await arm.web(sub)).webApps.update(
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
