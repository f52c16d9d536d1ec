// Container apps beyond their identity: the environment variables of their template (what App Service
// calls app settings), and which container apps hold a user-assigned identity.
//
// A container app's settings live in `properties.template.containers[].env`. ContainerApps_Update is a
// JSON Merge Patch (RFC 7386), which replaces an array whole: the PATCH carries every container as read,
// each with its env merged (other variables and secretRef entries kept as they were). A changed template
// makes a new revision.
import { MiauthError, TimeoutError } from "../errors.js";
import type { ArmClients } from "./clients.js";
import { deadlinePassed, translateAzureError } from "./errors.js";
import { NO_RETRY_AFTER_POLL_MS } from "./identity.js";
import { checkResource, type RawReply, replyObject } from "./replies.js";
import { describeTarget, type Target, targetResourceId } from "./target.js";

const TYPE = "Microsoft.App/containerApps";

export interface EnvVar {
  name: string;
  value?: string;
  secretRef?: string;
}

/** A container of the template as ARM gave it: only `env` is ever changed. */
export type RawContainer = Record<string, unknown> & { name: string; env?: EnvVar[] };

export interface AppTemplate {
  resourceId: string;
  location: string;
  containers: RawContainer[];
  latestRevisionName: string | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The template's containers from a GET reply, checked: each has a name, and env entries with names. */
function templateOf(reply: RawReply, expected: { id: string; type: string }): AppTemplate {
  const r = checkResource(reply, expected);
  const body = replyObject(reply);
  const bad = (why: string): never => {
    throw new MiauthError(`the reply for ${r.id} is not usable: ${why}`);
  };
  const props = isObject(body.properties) ? body.properties : bad("it has no properties");
  const template = isObject(props.template) ? props.template : bad("it has no properties.template");
  const containers = Array.isArray(template.containers)
    ? template.containers
    : bad("properties.template.containers is not a list");
  for (const c of containers) {
    if (!isObject(c) || typeof c.name !== "string") bad("a container has no name");
    const env = (c as Record<string, unknown>).env;
    if (env !== undefined && env !== null) {
      if (!Array.isArray(env) || env.some((e) => !isObject(e) || typeof e.name !== "string"))
        bad(`the env of container '${String(c.name)}' is not a list of named variables`);
    }
  }
  if (typeof body.location !== "string") bad("it has no location");
  return {
    resourceId: r.id,
    location: body.location as string,
    containers: containers as RawContainer[],
    latestRevisionName: typeof props.latestRevisionName === "string" ? props.latestRevisionName : null,
  };
}

export async function readTemplate(
  arm: ArmClients,
  target: Target,
  subscriptionId: string,
  abortSignal?: AbortSignal,
): Promise<AppTemplate> {
  const sub = target.subscriptionId ?? subscriptionId;
  const seen: { reply?: RawReply } = {};
  try {
    await (await arm.containerApps(sub)).containerApps.get(target.resourceGroup, target.name, {
      abortSignal,
      onResponse: (r: RawReply) => {
        seen.reply = r;
      },
    });
  } catch (err) {
    if (!seen.reply || seen.reply.status >= 300)
      throw translateAzureError(err, { what: describeTarget(target) });
  }
  if (!seen.reply) throw new MiauthError(`no reply to the read of ${describeTarget(target)}`);
  return templateOf(seen.reply, { id: targetResourceId(target, sub), type: TYPE });
}

export interface EnvPlan {
  changed: boolean;
  /** Each container's current value of the variable (null: not set; "secretRef:NAME" for a secret). */
  before: Record<string, string | null>;
  containers: RawContainer[];
}

function shown(e: EnvVar | undefined): string | null {
  if (!e) return null;
  return e.secretRef !== undefined ? `secretRef:${e.secretRef}` : (e.value ?? "");
}

/** Sets `name=value` in every container's env; the other variables stay as they are, in their order. */
export function planEnv(containers: RawContainer[], name: string, value: string): EnvPlan {
  const before: Record<string, string | null> = {};
  let changed = false;
  const out = containers.map((c) => {
    const env = [...(c.env ?? [])];
    // "When multiple environment variables have the same name, the last one in the list takes effect"
    // (learn.microsoft.com, azure/container-apps/environment-variables): that one is read and set.
    const i = env.map((e) => e.name).lastIndexOf(name);
    const current = i < 0 ? undefined : env[i];
    before[c.name] = shown(current);
    if (current && current.value === value && current.secretRef === undefined) return c;
    changed = true;
    if (i < 0) env.push({ name, value });
    else env[i] = { name, value };
    return { ...c, env };
  });
  return { changed, before, containers: out };
}

export interface EnvResult {
  result: "created" | "updated" | "unchanged";
  name: string;
  value: string;
  before: Record<string, string | null>;
  /** The revision the app runs after the change (a changed template makes a new one). */
  revision: string | null;
}

/**
 * Sets one variable in every container of the app's template: read, merge, PATCH (a long-running
 * operation the SDK's poller follows), read back. No write when every container already has it.
 */
export async function setContainerEnv(
  arm: ArmClients,
  target: Target,
  subscriptionId: string,
  name: string,
  value: string,
  opts: { signal?: AbortSignal; timedOutText?: string } = {},
): Promise<EnvResult> {
  const sub = target.subscriptionId ?? subscriptionId;
  const current = await readTemplate(arm, target, sub, opts.signal);
  const plan = planEnv(current.containers, name, value);
  const fresh = Object.values(plan.before).every((v) => v === null);
  if (!plan.changed)
    return { result: "unchanged", name, value, before: plan.before, revision: current.latestRevisionName };
  const what = describeTarget(target);
  try {
    const client = (await arm.containerApps(sub)).containerApps;
    const poller = await client.beginUpdate(
      target.resourceGroup,
      target.name,
      { location: current.location, template: { containers: plan.containers as never } },
      { updateIntervalInMs: NO_RETRY_AFTER_POLL_MS, abortSignal: opts.signal },
    );
    await poller.pollUntilDone({ abortSignal: opts.signal });
  } catch (err) {
    if (deadlinePassed(opts.signal))
      throw new TimeoutError(`${opts.timedOutText ?? "timed out"} waiting for ${what} to take the new env`, {
        cause: err,
        hint: "the update may go on in Azure: run the same command again to check",
      });
    throw translateAzureError(err, { what });
  }
  const back = await readTemplate(arm, target, sub, opts.signal);
  if (planEnv(back.containers, name, value).changed)
    throw new MiauthError(`${what} does not show ${name}=${value} in every container after the write`, {
      hint: "something else changed its template at the same time: run the same command again",
    });
  return {
    result: fresh ? "created" : "updated",
    name,
    value,
    before: plan.before,
    revision: back.latestRevisionName,
  };
}

export interface ContainerAppIdentities {
  id: string;
  name: string;
  resourceGroup: string;
  /** The resource IDs of the user-assigned identities attached to it, as ARM spells them. */
  userAssignedIdentities: string[];
}

/**
 * Every container app in the subscription with the user-assigned identities attached to it
 * (ContainerApps_ListBySubscription, paged). For `identity delete`: is this identity attached to a
 * container app? Match IDs case-insensitively (ids.ts sameId).
 */
export async function listContainerAppIdentities(
  arm: ArmClients,
  subscriptionId: string,
  abortSignal?: AbortSignal,
): Promise<ContainerAppIdentities[]> {
  const out: ContainerAppIdentities[] = [];
  const client = (await arm.containerApps(subscriptionId)).containerApps;
  try {
    for await (const app of client.listBySubscription({ abortSignal })) {
      if (typeof app.id !== "string" || typeof app.name !== "string") continue;
      const group = /\/resourceGroups\/([^/]+)\//i.exec(app.id)?.[1] ?? "";
      const type = (app.identity?.type ?? "").toLowerCase();
      const users = type.includes("userassigned")
        ? Object.keys(app.identity?.userAssignedIdentities ?? {})
        : [];
      out.push({ id: app.id, name: app.name, resourceGroup: group, userAssignedIdentities: users });
    }
  } catch (err) {
    throw translateAzureError(err, { what: `the container apps of subscription ${subscriptionId}` });
  }
  return out;
}
