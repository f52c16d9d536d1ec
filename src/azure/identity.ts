// Enable, disable and show managed identities on web apps, function apps, VMs and container apps.
// Plain functions: clients come in as arguments, results go out as plain objects; nothing prints.
// Every reply a write is planned from is checked first (replies.ts). Every write is conditional when
// the resource has an ETag (If-Match), and read back after: a write that lost to a concurrent one is
// planned again, and a write whose reply was lost or failed is reported from what the resource shows.
import { setTimeout as sleep } from "node:timers/promises";
import { MiauthError, TimeoutError } from "../errors.js";
import type { ArmClients } from "./clients.js";
import { deadlinePassed, httpStatus, translateAzureError } from "./errors.js";
import {
  type IdentityChange,
  type IdentityPlan,
  type IdentityView,
  planIdentity,
  viewOf,
  type WireIdentity,
} from "./identity-merge.js";
import { MAX_RETRY_AFTER_MS, requestedWaitMs } from "./policies.js";
import {
  checkResource,
  checkResourceObject,
  type RawReply,
  replyObject,
  unreadableReply,
} from "./replies.js";
import { describeTarget, type Target, targetResourceId } from "./target.js";
import { wrongKindError } from "./target-kind.js";

export interface ResourceIdentity {
  resourceId: string;
  /** ARM's `kind` for sites (app, functionapp,linux, …); "vm" for virtual machines. */
  kind: string;
  identity: WireIdentity | undefined;
  /** The resource's ETag, when ARM gives one: sent back as If-Match on the write. */
  etag?: string;
  /** VMs: `Updating` (or another non-final state) while an operation runs. */
  provisioningState?: string;
  /** Container apps: their region, which Microsoft.App's PATCH body must carry (`location` is required). */
  location?: string;
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
  change: IdentityChange;
  current: ResourceIdentity;
  plan: IdentityPlan;
}

export interface ApplyOptions {
  /** VMs only: return once ARM accepted the long-running PATCH. */
  noWait?: boolean;
  pollIntervalMs?: number;
  onProgress?: (status: string) => void;
  /** What is worth a line on stderr: a write planned again, a lost reply, a wait. */
  onNote?: (message: string) => void;
  /** Ctrl-C and the command's deadline (aborted with a TimeoutError reason), which bounds every wait. */
  abortSignal?: AbortSignal;
  /** How a message about the deadline starts, e.g. "timed out after 10m". */
  timedOutText?: string;
}

const SITE_TYPE = "Microsoft.Web/sites";
const SLOT_TYPE = "Microsoft.Web/sites/slots";
const VM_TYPE = "Microsoft.Compute/virtualMachines";
const CONTAINER_APP_TYPE = "Microsoft.App/containerApps";
/**
 * Poll interval of a VM update when ARM's reply gives no Retry-After (or 0): short enough to see the
 * end within 0.3 s of it, and ARM's Compute replies do carry one.
 */
export const NO_RETRY_AFTER_POLL_MS = 250;
/** Writes per target: the first, plus re-plans after a 412 or a read-back that lost to another writer. */
export const MAX_WRITES = 3;

/** Reads the resource; a reply that is not this resource with a well-formed identity is exit 1. */
export async function readIdentity(
  arm: ArmClients,
  target: Target,
  subscriptionId: string,
  abortSignal?: AbortSignal,
): Promise<ResourceIdentity> {
  const sub = target.subscriptionId ?? subscriptionId;
  const expected = { id: targetResourceId(target, sub), type: resourceType(target) };
  const seen: { reply?: RawReply } = {};
  const options = {
    abortSignal,
    onResponse: (r: RawReply) => {
      seen.reply = r;
    },
  };
  try {
    if (target.kind === "vm") {
      await (await arm.compute(sub)).virtualMachines.get(target.resourceGroup, target.name, options);
    } else if (target.kind === "containerapp") {
      await (await arm.containerApps(sub)).containerApps.get(target.resourceGroup, target.name, options);
    } else if (target.slot !== undefined) {
      await (await arm.web(sub)).webApps.getSlot(target.resourceGroup, target.name, target.slot, options);
    } else {
      await (await arm.web(sub)).webApps.get(target.resourceGroup, target.name, options);
    }
  } catch (err) {
    // The SDK throws on some 200 bodies (an empty one: "Cannot read properties of undefined"; invalid
    // JSON) after onResponse saw them: a 2xx reply is judged by what it contains, below.
    if (!isSuccess(seen.reply)) {
      const e =
        unreadableReply(err, `GET ${expected.id}`) ??
        translateAzureError(err, { what: describeTarget(target) });
      throw httpStatus(err) === 404 ? await wrongKindError(arm, target, sub, e, abortSignal) : e;
    }
  }
  if (!seen.reply) throw new MiauthError(`no reply to the read of ${describeTarget(target)}`);
  const r = checkResource(seen.reply, expected);
  const out: ResourceIdentity = {
    resourceId: r.id,
    kind: target.kind === "vm" || target.kind === "containerapp" ? target.kind : (r.kind ?? "app"),
    identity: r.identity,
  };
  if (r.etag) out.etag = r.etag;
  if (r.provisioningState) out.provisioningState = r.provisioningState;
  if (target.kind === "containerapp") {
    const location = replyObject(seen.reply).location;
    if (typeof location === "string") out.location = location;
  }
  return out;
}

/** The ARM type a target's reply must carry: a deployment slot is a resource of its own type. */
function resourceType(target: Target): string {
  if (target.kind === "vm") return VM_TYPE;
  if (target.kind === "containerapp") return CONTAINER_APP_TYPE;
  return target.slot === undefined ? SITE_TYPE : SLOT_TYPE;
}

function isSuccess(reply: RawReply | undefined): reply is RawReply {
  return reply !== undefined && reply.status >= 200 && reply.status <= 299;
}

/**
 * A VM (or container app) in the middle of an operation shows the identity it is being changed to, not
 * one it has. Container Apps says `InProgress` (ContainerApps_CreateOrUpdate's 201 example).
 */
export function isBusy(r: ResourceIdentity): boolean {
  const state = r.provisioningState;
  return state !== undefined && !/^(succeeded|failed|canceled)$/i.test(state);
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
    change,
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

function resultOf(r: ResourceIdentity, result: IdentityResult["result"]): IdentityResult {
  return { ...viewOf(r.identity), resourceId: r.resourceId, result };
}

function goalHolds(r: ResourceIdentity, change: IdentityChange): boolean {
  return !planIdentity(r.identity, change).changed;
}

/** How one write went. "uncertain": it may or may not have taken effect; the resource is read to tell. */
type WriteOutcome =
  /** `after`: the resource as read once the write ended, when that read came with it (VM LROs). */
  | { kind: "written"; after?: ResourceIdentity }
  | { kind: "conflict" }
  | { kind: "uncertain"; reason: string; cause: unknown };

/**
 * Writes a planned change, if it changes anything, and reports what the resource shows afterwards.
 * Bounded: at most MAX_WRITES writes, each after a fresh read when the previous one lost to another writer.
 */
export async function applyChange(
  arm: ArmClients,
  p: PlannedChange,
  opts: ApplyOptions = {},
): Promise<IdentityResult> {
  const { target, change } = p;
  const what = describeTarget(target);
  const note = opts.onNote ?? (() => {});
  const read = () => readIdentity(arm, target, p.subscriptionId, opts.abortSignal);
  // VMs and container apps change through a long-running operation; sites answer at once.
  const vm = target.kind === "vm" || target.kind === "containerapp";
  let current = p.current;
  let wrote = false;
  for (let attempt = 1; ; attempt++) {
    if (vm && isBusy(current)) {
      if (opts.noWait && goalHolds(current, change)) {
        note(
          `${what} is still running an update (provisioningState ${current.provisioningState}) to this identity`,
        );
        return resultOf(current, "accepted");
      }
      current = await waitWhileBusy(current, read, opts, what, "that operation");
    }
    const plan = planIdentity(current.identity, change);
    if (!plan.changed || !plan.request) return resultOf(current, wrote ? "updated" : "unchanged");
    if (attempt > MAX_WRITES) {
      throw new MiauthError(
        `${what} kept changing while miauth was writing to it; gave up after ${MAX_WRITES} writes`,
        { hint: "something else is changing its identity at the same time: run again when it has finished" },
      );
    }
    const outcome =
      target.kind === "containerapp"
        ? await writeContainerApp(arm, p, current, plan.request, opts)
        : vm
          ? await writeVm(arm, p, current, plan.request, opts)
          : await writeSite(arm, p, current, plan.request, opts);
    if (outcome.kind === "conflict") {
      note(
        `${what} changed after miauth read it (412 PreconditionFailed); reading it again and planning anew (write ${attempt} of ${MAX_WRITES})`,
      );
      current = await read();
      continue;
    }
    let back: ResourceIdentity;
    try {
      back = outcome.kind === "written" && outcome.after ? outcome.after : await read();
      if (vm && !opts.noWait && isBusy(back))
        back = await waitWhileBusy(back, read, opts, what, "the update");
    } catch (err) {
      if (err instanceof TimeoutError) throw err;
      if (deadlinePassed(opts.abortSignal)) {
        throw new TimeoutError(
          `${timedOut(opts)} reading ${what} again after the write: ${outcome.kind === "uncertain" ? "unknown whether the change was applied" : "ARM accepted the change, but it is not confirmed"}`,
          { cause: err, hint: "re-run to converge (enable and disable are safe to repeat)" },
        );
      }
      const why = errorText(err);
      if (outcome.kind === "uncertain") {
        throw new MiauthError(
          `${outcome.reason}; ${what} could not be read again (${why}): unknown whether the change was applied`,
          { cause: err, hint: "unknown: re-run to converge (enable and disable are safe to repeat)" },
        );
      }
      throw new MiauthError(
        `ARM accepted the change, but ${what} could not be read again to confirm it (${why})`,
        { cause: err, hint: "re-run to converge (enable and disable are safe to repeat)" },
      );
    }
    if (goalHolds(back, change)) {
      if (outcome.kind === "uncertain") note(`${outcome.reason}; read ${what} again: the change is applied`);
      return resultOf(back, vm && opts.noWait ? "accepted" : "updated");
    }
    if (outcome.kind === "uncertain") {
      // What the resource holds now, as read: a failed VM operation may have left part of a change.
      throw new MiauthError(`${outcome.reason}; read ${what} again: ${holdsText(back)}`, {
        cause: outcome.cause,
        hint: vm
          ? `run the command again, or see the ${target.kind === "vm" ? "VM" : "container app"}'s activity log`
          : "run the command again",
      });
    }
    wrote = true;
    note(
      `${what} does not show the change after the write (another change landed in between); planning anew (write ${attempt} of ${MAX_WRITES})`,
    );
    current = back;
  }
}

/** What a resource read after a failed write holds, against what was asked. */
function holdsText(r: ResourceIdentity): string {
  const view = viewOf(r.identity);
  const users = Object.keys(view.userAssignedIdentities ?? {}).map((id) => id.split("/").at(-1) ?? id);
  const parts = [`identity type ${view.type}`];
  if (users.length > 0) parts.push(`user-assigned ${users.join(", ")}`);
  if (r.provisioningState) parts.push(`provisioningState ${r.provisioningState}`);
  return `it holds ${parts.join(", ")}, not the identity asked for`;
}

function errorText(err: unknown): string {
  const e = translateAzureError(err);
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
}

function timedOut(opts: ApplyOptions): string {
  return opts.timedOutText ?? "timed out";
}

/** Sorts a failed write: a 412 is a conflict, another 4xx was refused (thrown), the rest may have landed. */
function failedWrite(
  err: unknown,
  reply: RawReply | undefined,
  request: string,
  what: string,
  opts: ApplyOptions,
): WriteOutcome {
  // The deadline cut the write off: it was sent, and nothing can be read any more to tell.
  if (deadlinePassed(opts.abortSignal) && !reply) {
    throw new TimeoutError(
      `${timedOut(opts)} waiting for the reply to ${request}: the write was sent; unknown whether it was applied`,
      { cause: err, hint: "re-run to converge (enable and disable are safe to repeat)" },
    );
  }
  const e = translateAzureError(err, { what });
  const unreadable = unreadableReply(err, request);
  if (unreadable) return { kind: "uncertain", reason: unreadable.message, cause: err };
  if (isSuccess(reply)) {
    // A 2xx the SDK could not read: the write most likely landed.
    try {
      replyObject(reply);
    } catch (bad) {
      return { kind: "uncertain", reason: (bad as Error).message, cause: bad };
    }
    return { kind: "uncertain", reason: `${request} failed: ${errorText(err)}`, cause: err };
  }
  const status = httpStatus(err);
  if (status === 412) return { kind: "conflict" };
  if (status !== undefined && status >= 400 && status < 500 && status !== 408) throw e;
  return { kind: "uncertain", reason: `${request} failed: ${errorText(err)}`, cause: err };
}

/** A write ARM answered: its reply must be the resource (or a bodiless 202), else it is uncertain. */
function answeredWrite(reply: RawReply | undefined, expected: { id: string; type: string }): WriteOutcome {
  if (!reply) return { kind: "uncertain", reason: "no reply to the write was seen", cause: undefined };
  if (reply.status === 202 && !reply.bodyAsText) return { kind: "written" };
  try {
    checkResource(reply, expected);
  } catch (bad) {
    return { kind: "uncertain", reason: (bad as Error).message, cause: bad };
  }
  return { kind: "written" };
}

async function writeSite(
  arm: ArmClients,
  p: PlannedChange,
  current: ResourceIdentity,
  request: WireIdentity,
  opts: ApplyOptions,
): Promise<WriteOutcome> {
  const { target } = p;
  const seen: { reply?: RawReply } = {};
  const name = `PATCH ${current.resourceId}`;
  // Past the deadline already: nothing is sent (and failedWrite must not say it was).
  opts.abortSignal?.throwIfAborted();
  const options = {
    abortSignal: opts.abortSignal,
    onResponse: (r: RawReply) => {
      seen.reply = r;
    },
    // Conditional when the site gave an ETag: a stale one is 412, and the write is planned anew.
    requestOptions: current.etag ? { headers: { "if-match": current.etag } } : undefined,
  };
  const envelope = { identity: request as never };
  try {
    const web = (await arm.web(p.subscriptionId)).webApps;
    if (target.slot !== undefined)
      await web.updateSlot(target.resourceGroup, target.name, target.slot, envelope, options);
    else await web.update(target.resourceGroup, target.name, envelope, options);
  } catch (err) {
    return failedWrite(err, seen.reply, name, describeTarget(target), opts);
  }
  return answeredWrite(seen.reply, { id: current.resourceId, type: resourceType(target) });
}

async function writeVm(
  arm: ArmClients,
  p: PlannedChange,
  current: ResourceIdentity,
  request: WireIdentity,
  opts: ApplyOptions,
): Promise<WriteOutcome> {
  const { target } = p;
  const what = describeTarget(target);
  const vms = (await arm.compute(p.subscriptionId)).virtualMachines;
  const seen: { reply?: RawReply } = {};
  const name = `PATCH ${current.resourceId}`;
  opts.abortSignal?.throwIfAborted();
  const poller = vms.update(
    target.resourceGroup,
    target.name,
    { identity: request as never },
    {
      // Used only when a poll's reply has no Retry-After (or 0); a positive one sets the next wait.
      updateIntervalInMs: opts.pollIntervalMs ?? NO_RETRY_AFTER_POLL_MS,
      abortSignal: opts.abortSignal,
      ifMatch: current.etag,
      onResponse: (r: RawReply) => {
        seen.reply = r;
      },
    },
  );
  try {
    await poller.submitted();
    if (!opts.noWait) {
      // core-lro polls at once after the PATCH, ignoring its Retry-After: wait as ARM asked first.
      const first = seen.reply ? requestedWaitMs(seen.reply.headers) : undefined;
      if (first) await sleep(Math.min(first, MAX_RETRY_AFTER_MS), undefined, { signal: opts.abortSignal });
      poller.onProgress((state) => opts.onProgress?.(state.status));
      const done = await poller;
      // The SDK's GET of the VM after the operation is the read-back: no second GET when it checks out.
      const written = answeredWrite(seen.reply, { id: current.resourceId, type: VM_TYPE });
      return written.kind === "written" ? { ...written, after: finalVm(done, current.resourceId) } : written;
    }
  } catch (err) {
    return lroFailure(err, seen.reply, { name, what, resourceId: current.resourceId }, opts);
  }
  return answeredWrite(seen.reply, { id: current.resourceId, type: VM_TYPE });
}

/**
 * How a long-running write (a VM's or a container app's PATCH) failed, given the PATCH's own reply: the
 * deadline (exit 6, saying whether the update goes on), Ctrl-C, a Failed operation after an accepted
 * PATCH (uncertain: the resource is read to tell), or the PATCH's own failure.
 */
function lroFailure(
  err: unknown,
  reply: RawReply | undefined,
  w: { name: string; what: string; resourceId: string },
  opts: ApplyOptions,
): WriteOutcome {
  if (deadlinePassed(opts.abortSignal)) {
    throw new TimeoutError(`${timedOut(opts)} waiting for ${w.what} to finish updating`, {
      cause: err,
      hint: isSuccess(reply)
        ? `the update goes on in Azure; check it with: miauth show --ids ${w.resourceId}, or run again later`
        : "ARM did not answer the write: unknown whether it was applied; re-run to converge",
    });
  }
  if (opts.abortSignal?.aborted) throw translateAzureError(err);
  if (httpStatus(err) === undefined && isSuccess(reply)) {
    // core-lro reports a Failed operation as a plain Error carrying the operation's error.
    const text = (err as Error).message.replace(/\s+/g, " ");
    return { kind: "uncertain", reason: `updating ${w.what} failed: ${text}`, cause: err };
  }
  return failedWrite(err, reply, w.name, w.what, opts);
}

/** Container Apps spells the combined identity type without the space Web and Compute use. */
function containerAppIdentity(request: WireIdentity): WireIdentity {
  return { ...request, type: request.type?.replace(/\s*,\s*/g, ",") };
}

/**
 * ContainerApps_Update (PATCH, JSON Merge Patch) is a long-running operation: 200, or 202 with
 * `Azure-AsyncOperation` (…/containerappOperationStatuses/{id}) and/or `Location`
 * (…/containerappOperationResults/{id}), see src/emulator/README.md "Container Apps". The SDK's poller
 * follows whichever came; miauth then reads the app again (applyChange), which is the read-back.
 */
async function writeContainerApp(
  arm: ArmClients,
  p: PlannedChange,
  current: ResourceIdentity,
  request: WireIdentity,
  opts: ApplyOptions,
): Promise<WriteOutcome> {
  const { target } = p;
  const what = describeTarget(target);
  const client = (await arm.containerApps(p.subscriptionId)).containerApps;
  const seen: { reply?: RawReply; first?: RawReply } = {};
  const name = `PATCH ${current.resourceId}`;
  opts.abortSignal?.throwIfAborted();
  try {
    const poller = await client.beginUpdate(
      target.resourceGroup,
      target.name,
      // `location` is required by the SDK's model; it is the app's own, so nothing changes with it.
      { location: current.location ?? "", identity: containerAppIdentity(request) as never },
      {
        updateIntervalInMs: opts.pollIntervalMs ?? NO_RETRY_AFTER_POLL_MS,
        abortSignal: opts.abortSignal,
        onResponse: (r: RawReply) => {
          seen.first ??= r;
          seen.reply = r;
        },
      },
    );
    if (opts.noWait) return answeredAppWrite(seen.first, current.resourceId);
    poller.onProgress((state) => opts.onProgress?.(state.status));
    await poller.pollUntilDone({ abortSignal: opts.abortSignal });
  } catch (err) {
    return lroFailure(err, seen.first, { name, what, resourceId: current.resourceId }, opts);
  }
  return answeredAppWrite(seen.first, current.resourceId);
}

/** The PATCH's own reply: a bodiless 201/202 (the operation runs), or the app itself (200). */
function answeredAppWrite(reply: RawReply | undefined, resourceId: string): WriteOutcome {
  if (reply && (reply.status === 201 || reply.status === 202) && !reply.bodyAsText)
    return { kind: "written" };
  return answeredWrite(reply, { id: resourceId, type: CONTAINER_APP_TYPE });
}

/**
 * The VM as the SDK's final GET gave it (deserialised: `properties` flattened), checked like a read:
 * its own ID and type and a well-formed identity; undefined when it does not check out (then miauth
 * reads the VM itself).
 */
function finalVm(result: unknown, resourceId: string): ResourceIdentity | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  const vm = result as Record<string, unknown>;
  const body = {
    id: vm.id,
    type: vm.type,
    identity: vm.identity,
    properties: { provisioningState: vm.provisioningState },
    ...(typeof vm.etag === "string" ? { etag: vm.etag } : {}),
  };
  try {
    const r = checkResourceObject(body, { id: resourceId, type: VM_TYPE });
    const out: ResourceIdentity = { resourceId: r.id, kind: "vm", identity: r.identity };
    if (r.etag) out.etag = r.etag;
    if (r.provisioningState) out.provisioningState = r.provisioningState;
    return out;
  } catch {
    return undefined;
  }
}

/**
 * Waits for the VM's running operation to end, reading it every poll interval, until the command's
 * deadline. `operation` names what goes on in Azure when the deadline passes: "that operation" (one the
 * VM was already running) or "the update" (ours).
 */
async function waitWhileBusy(
  current: ResourceIdentity,
  read: () => Promise<ResourceIdentity>,
  opts: ApplyOptions,
  what: string,
  operation: "that operation" | "the update",
): Promise<ResourceIdentity> {
  opts.onNote?.(
    `${what} is still running an update (provisioningState ${current.provisioningState}); waiting for it to finish`,
  );
  let r = current;
  try {
    while (isBusy(r)) {
      await sleep(opts.pollIntervalMs ?? 1000, undefined, { signal: opts.abortSignal });
      r = await read();
    }
  } catch (err) {
    if (!deadlinePassed(opts.abortSignal)) throw translateAzureError(err);
    const running = operation === "that operation" ? "the update it is running" : "updating";
    throw new TimeoutError(
      `${timedOut(opts)} waiting for ${what} to finish ${running} (provisioningState ${r.provisioningState})`,
      {
        cause: err,
        hint: `${operation} goes on in Azure; run again when it has finished (miauth show --ids ${current.resourceId})`,
      },
    );
  }
  return r;
}
