import * as v from "valibot";
import { etagOf } from "./arm/etag.js";
import { renderIdentity } from "./arm/resource-identity.js";
import { type Faults, parseFault } from "./faults.js";
import type { Ctx, Reply } from "./http.js";
import type { RequestLog } from "./log.js";
import { settleAllNow } from "./providers/compute.js";
import { settleContainerApps } from "./providers/container-apps.js";
import { findRole } from "./rbac/roles.js";
import { buildState, identityHost, type Settings, type State, storageAccountNamed } from "./state.js";
import type { GithubIssuer } from "./tokens/github.js";
import type { HostKind, HostSelector } from "./tokens/hosts.js";
import type { JwtService, TokenSubject } from "./tokens/jwt.js";
import type { WorkflowRequest } from "./tokens/workflow.js";
import type { World } from "./world.js";

export interface ControlDeps {
  state: State;
  world: World;
  settings: Settings;
  log: RequestLog;
  faults: Faults;
  jwt: JwtService;
  /** Set when the blob plane runs: reset also brings Azurite back to the seed. */
  blob?: { reset(): Promise<void> };
  /** Set once the emulator listens: a host's environment now, or why there is no such host. */
  hostEnv?: (sel: HostSelector) => Record<string, string> | string;
  github: GithubIssuer;
  /** Set once the emulator listens: a GitHub Actions job's environment after its OIDC step, or why not. */
  workflowEnv?: (w: WorkflowRequest) => Promise<Record<string, string> | string>;
}

const WorkflowBody = v.object({
  repository: v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/)),
  ref: v.pipe(v.string(), v.regex(/^refs\/(heads|tags|pull)\/\S+$/)),
  environment: v.optional(v.pipe(v.string(), v.minLength(1))),
  pullRequest: v.optional(v.boolean()),
  clientId: v.optional(v.string()),
});

/** POST /github/workflow {repository, ref, environment?, pullRequest?, clientId?}: what `env --as-github-workflow` prints. */
async function workflowReply(deps: ControlDeps, body: unknown): Promise<Reply> {
  const parsed = v.safeParse(WorkflowBody, body);
  if (!parsed.success) return badRequest(`body: ${parsed.issues[0]?.message ?? "invalid"}`);
  const env = (await deps.workflowEnv?.(parsed.output)) ?? "the emulator is still starting";
  if (typeof env === "string") return { status: 404, body: { error: { code: "NotFound", message: env } } };
  return { status: 200, body: { env } };
}

/** GET /hosts/env?resourceId=ID, or ?webapp|functionapp|vm|containerapp=NAME&resourceGroup=RG: what `env --as` prints. */
function hostEnvReply(deps: ControlDeps, ctx: Ctx): Reply {
  const q = ctx.query;
  const kinds = (["webapp", "functionapp", "vm", "containerapp"] as HostKind[]).filter((k) => q.has(k));
  const resourceId = q.get("resourceId");
  const group = q.get("resourceGroup");
  let sel: HostSelector;
  if (resourceId && kinds.length === 0 && !group) sel = { resourceId };
  else if (!resourceId && kinds.length === 1 && kinds[0] && group)
    sel = { kind: kinds[0], name: q.get(kinds[0]) ?? "", resourceGroup: group };
  else
    return badRequest(
      "expected resourceId=ID, or one of webapp, functionapp, vm, containerapp =NAME with resourceGroup=RG",
    );
  const env = deps.hostEnv?.(sel) ?? "the emulator is still starting";
  if (typeof env === "string") return controlError(404, "NotFound", env);
  return { status: 200, body: { env } };
}

function badRequest(message: string): Reply {
  return { status: 400, body: { error: { code: "BadRequest", message } } };
}

export function dumpState(state: State): Record<string, unknown> {
  settleContainerApps(state);
  return {
    tenantId: state.tenantId,
    subscriptions: state.subscriptions,
    operator: state.operator,
    resourceGroups: Object.values(state.resourceGroups),
    sites: Object.values(state.sites).map((s) => ({
      id: s.id,
      kind: s.kind,
      identity: renderIdentity(state, s.identity, "web") ?? null,
    })),
    slots: Object.values(state.slots).map((s) => ({
      id: s.id,
      kind: s.kind,
      identity: renderIdentity(state, s.identity, "web") ?? null,
    })),
    virtualMachines: Object.values(state.vms).map((v) => ({
      id: v.id,
      etag: etagOf(v.version),
      provisioningState: v.provisioningState,
      identity: renderIdentity(state, v.identity, "compute") ?? null,
    })),
    containerApps: Object.values(state.containerApps).map((a) => ({
      id: a.id,
      provisioningState: a.provisioningState,
      identity: renderIdentity(state, a.identity, "compute") ?? null,
      containers: a.containers,
    })),
    userAssignedIdentities: Object.values(state.userAssignedIdentities),
    storageAccounts: Object.values(state.storageAccounts),
    roleAssignments: state.roleAssignments.map((a) => ({
      ...a,
      roleDefinitionName: findRole(state.customRoles, a.roleDefinitionId)?.roleName,
    })),
    customRoles: state.customRoles,
    directory: Object.values(state.directory).map(({ knownAt, ...p }) => ({
      ...p,
      replicated: Date.now() >= knownAt,
    })),
    operations: Object.values(state.operations).map(
      ({ previousIdentity: _, previousContainers: _c, ...op }) => op,
    ),
  };
}

/** Test-only: a token for the operator or a resource's system identity, possibly already expired. */
async function mintToken(deps: ControlDeps, input: unknown): Promise<Reply> {
  const body = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const audience = typeof body.resource === "string" ? body.resource : "https://management.azure.com/";
  const lifetime =
    typeof body.lifetimeSeconds === "number" ? body.lifetimeSeconds : deps.settings.tokenLifetimeSeconds;
  let subject: TokenSubject;
  if (typeof body.resourceId === "string") {
    const host = identityHost(deps.state, body.resourceId.toLowerCase());
    if (!host?.identity.system)
      return badRequest(`resourceId: no resource with a system identity '${body.resourceId}'`);
    subject = { ...host.identity.system, resourceId: host.id };
  } else {
    const op = deps.state.operator;
    subject = { principalId: op.principalId, clientId: op.clientId, resourceId: op.resourceId };
  }
  const issued = await deps.jwt.issue(subject, audience, lifetime);
  return { status: 200, body: { access_token: issued.token, expires_on: String(issued.expiresOn) } };
}

const firewallBody = v.object({ enabled: v.boolean() });

/** Test-only: the storage firewall (publicNetworkAccess) on or off at run time. */
function setFirewall(deps: ControlDeps, account: string, input: unknown): Reply {
  const found = storageAccountNamed(deps.state, account);
  if (!found)
    return {
      status: 404,
      body: { error: { code: "NotFound", message: `No storage account '${account}'.` } },
    };
  if (!v.is(firewallBody, input)) return badRequest("enabled: expected true or false");
  found.publicNetworkAccess = input.enabled ? "Disabled" : "Enabled";
  return { status: 200, body: { name: found.name, publicNetworkAccess: found.publicNetworkAccess } };
}

/** Bounded whole-number query parameter: the value, or a one-line error. */
function intParam(ctx: Ctx, name: string, fallback: number, min: number, max: number): number | string {
  const schema = v.pipe(v.string(), v.digits(), v.toNumber(), v.minValue(min), v.maxValue(max));
  const parsed = v.safeParse(schema, ctx.query.get(name) ?? String(fallback));
  return parsed.success ? parsed.output : `${name}: expected a whole number, ${min} to ${max}`;
}

/** Long poll: answers once `count` requests have reached hold fault id, kept back or already let go. */
async function waitHeld(deps: ControlDeps, ctx: Ctx, id: string): Promise<Reply> {
  if (!deps.faults.holdCount(id)) return noHold(id);
  const count = intParam(ctx, "count", 1, 1, 1000);
  if (typeof count === "string") return badRequest(count);
  const timeoutMs = intParam(ctx, "timeoutMs", 30_000, 0, 600_000);
  if (typeof timeoutMs === "string") return badRequest(timeoutMs);
  const r = await deps.faults.whenHeld(id, count, timeoutMs);
  if (r === "timeout")
    return controlError(408, "RequestTimeout", `hold fault ${id}: no request held within ${timeoutMs} ms`);
  if (r === "cleared") return controlError(409, "Conflict", `hold fault ${id} was cleared`);
  return { status: 200, body: r };
}

function release(deps: ControlDeps, id: string): Reply {
  const now = deps.faults.holdCount(id);
  if (!now) return noHold(id);
  if (now.held === 0)
    return controlError(
      409,
      "Conflict",
      `hold fault ${id} holds no reply (released so far: ${now.released}); wait for one with GET /__emulator/faults/${id}/held`,
    );
  return { status: 200, body: deps.faults.release(id) };
}

function noHold(id: string): Reply {
  return controlError(404, "NotFound", `No hold fault '${id}' (cleared by a reset, or never added).`);
}

function controlError(status: number, code: string, message: string): Reply {
  return { status, body: { error: { code, message } } };
}

/** No body, or `{}`. */
const settleBody = v.optional(v.strictObject({}));

function settle(deps: ControlDeps, body: unknown): Reply {
  if (!v.is(settleBody, body)) return badRequest("body: expected none (every running operation ends)");
  const ended = settleAllNow(deps.state).map(({ previousIdentity: _, previousContainers: _c, ...op }) => op);
  settleContainerApps(deps.state);
  return { status: 200, body: { value: ended } };
}

const advanceBody = v.strictObject({ ms: v.pipe(v.number(), v.finite(), v.minValue(0)) });

/**
 * Moves every pending emulator clock `ms` closer: RBAC propagation to the blob plane
 * (`dataPlaneAt`), directory replication (`knownAt`) and running VM operations (`settleAt`).
 * What is due afterwards happens as if that much time had passed.
 */
function advanceClock(deps: ControlDeps, body: unknown): Reply {
  if (!v.is(advanceBody, body)) return badRequest("body: expected {ms: a number of milliseconds >= 0}");
  const { ms } = body;
  const { state } = deps;
  for (const a of state.roleAssignments) a.dataPlaneAt -= ms;
  for (const p of Object.values(state.directory)) p.knownAt -= ms;
  for (const op of Object.values(state.operations)) if (op.status === "InProgress") op.settleAt -= ms;
  settleContainerApps(state);
  return { status: 200, body: { advancedMs: ms } };
}

export async function handleControl(ctx: Ctx, deps: ControlDeps): Promise<Reply> {
  const route = `${ctx.method} ${ctx.path.replace(/\/$/, "").toLowerCase()}`;
  let body: unknown;
  try {
    body = ctx.rawBody.trim() === "" ? undefined : JSON.parse(ctx.rawBody);
  } catch {
    return badRequest("body: expected JSON");
  }
  const firewall = /^POST \/__emulator\/storage\/([^/]+)\/firewall$/.exec(route);
  if (firewall?.[1]) return setFirewall(deps, firewall[1], body);
  const held = /^GET \/__emulator\/faults\/([^/]+)\/held$/.exec(route);
  if (held?.[1]) return waitHeld(deps, ctx, held[1]);
  const released = /^POST \/__emulator\/faults\/([^/]+)\/release$/.exec(route);
  if (released?.[1]) return release(deps, released[1]);
  switch (route) {
    case "GET /__emulator/hosts/env":
      return hostEnvReply(deps, ctx);
    case "POST /__emulator/github/workflow":
      return workflowReply(deps, body);
    case "GET /__emulator/requests":
      return { status: 200, body: { value: deps.log.entries } };
    case "DELETE /__emulator/requests":
      deps.log.clear();
      return { status: 204 };
    case "GET /__emulator/faults":
      return { status: 200, body: { value: deps.faults.active, holds: deps.faults.holdCounts() } };
    case "POST /__emulator/faults": {
      const fault = parseFault(body);
      if (typeof fault === "string") return badRequest(fault);
      deps.faults.add(fault);
      return { status: 201, body: fault };
    }
    case "DELETE /__emulator/faults":
      deps.faults.clear();
      return { status: 204 };
    case "POST /__emulator/reset":
      Object.assign(deps.state, buildState(deps.world, deps.state.options));
      await deps.blob?.reset();
      deps.log.clear();
      deps.faults.clear();
      return { status: 204 };
    case "POST /__emulator/operations/settle":
      return settle(deps, body);
    case "POST /__emulator/clock/advance":
      return advanceClock(deps, body);
    case "GET /__emulator/state":
      return { status: 200, body: dumpState(deps.state) };
    case "POST /__emulator/token":
      return mintToken(deps, body);
    default:
      return { status: 404, body: { error: { code: "NotFound", message: `No control endpoint ${route}.` } } };
  }
}
