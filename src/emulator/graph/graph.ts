// The few Microsoft Graph reads miauth makes: a user by ID or user principal name, and service
// principals filtered by appId or displayName, over the emulator's directory. Served on the emulator's
// own port under /v1.0 (MIAUTH_GRAPH_ENDPOINT in env.sh). Sources and guesses: README.md, "Microsoft Graph".
import { randomUUID } from "node:crypto";
import { type Ctx, header, type Reply } from "../http.js";
import type { Principal } from "../rbac/directory.js";
import type { State } from "../state.js";
import type { JwtService } from "../tokens/jwt.js";

/** What a token for Graph carries as `aud`: its URL (v1 tokens) or its application ID. */
export const GRAPH_AUDIENCES = [
  "https://graph.microsoft.com",
  "https://graph.microsoft.com/",
  "00000003-0000-0000-c000-000000000000",
];

// Application permissions that allow each read (learn.microsoft.com/graph/api/user-get and
// /graph/api/serviceprincipal-list, "Permissions", application column).
const READ_USERS = [
  "User.ReadBasic.All",
  "User.Read.All",
  "User.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];
const READ_SERVICE_PRINCIPALS = [
  "Application.Read.All",
  "Application.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];

const METADATA = "https://graph.microsoft.com/v1.0/$metadata";

export interface GraphDeps {
  state: State;
  jwt: JwtService;
}

function graphError(ctx: Ctx, status: number, code: string, message: string): Reply {
  const requestId = randomUUID();
  return {
    status,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d+Z$/, ""),
          "request-id": requestId,
          "client-request-id": header(ctx, "client-request-id") ?? requestId,
        },
      },
    },
    headers: { "request-id": requestId, "Content-Type": "application/json" },
  };
}

async function authenticate(ctx: Ctx, deps: GraphDeps): Promise<Reply | string> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header(ctx, "authorization") ?? "");
  if (!m?.[1]) return graphError(ctx, 401, "InvalidAuthenticationToken", "Access token is empty.");
  const result = await deps.jwt.verify(m[1]);
  if (!result.ok && result.reason === "expired")
    return graphError(
      ctx,
      401,
      "InvalidAuthenticationToken",
      "Lifetime validation failed, the token is expired.",
    );
  if (!result.ok)
    return graphError(ctx, 401, "InvalidAuthenticationToken", "Access token validation failure.");
  const aud = result.claims.aud;
  if (typeof aud !== "string" || !GRAPH_AUDIENCES.includes(aud))
    return graphError(
      ctx,
      401,
      "InvalidAuthenticationToken",
      "Access token validation failure. Invalid audience.",
    );
  return String(result.claims.oid ?? "");
}

/** Only the operator holds Graph application permissions (world: operator.graphPermissions). */
function mayRead(state: State, caller: string, allowed: string[]): boolean {
  if (caller.toLowerCase() !== state.operator.principalId.toLowerCase()) return false;
  return state.operator.graphPermissions.some((p) =>
    allowed.some((a) => a.toLowerCase() === p.toLowerCase()),
  );
}

function denied(ctx: Ctx): Reply {
  return graphError(
    ctx,
    403,
    "Authorization_RequestDenied",
    "Insufficient privileges to complete the operation.",
  );
}

/** $select: the listed properties only (Graph always adds @odata.context). */
function selected(ctx: Ctx, entity: Record<string, unknown>): Record<string, unknown> {
  const select = ctx.query.get("$select");
  if (!select) return entity;
  const keep = select.split(",").map((s) => s.trim().toLowerCase());
  return Object.fromEntries(Object.entries(entity).filter(([k]) => keep.includes(k.toLowerCase())));
}

function userEntity(p: Principal): Record<string, unknown> {
  return {
    id: p.principalId,
    businessPhones: [],
    displayName: p.displayName ?? null,
    givenName: null,
    jobTitle: null,
    mail: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: null,
    userPrincipalName: p.userPrincipalName ?? null,
  };
}

function servicePrincipalEntity(p: Principal, managedIdentity: boolean): Record<string, unknown> {
  return {
    id: p.principalId,
    accountEnabled: true,
    appDisplayName: managedIdentity ? null : (p.displayName ?? null),
    appId: p.appId ?? null,
    displayName: p.displayName ?? null,
    servicePrincipalType: managedIdentity ? "ManagedIdentity" : "Application",
  };
}

function ok(ctx: Ctx, body: Record<string, unknown>): Reply {
  const requestId = randomUUID();
  return {
    status: 200,
    body,
    headers: {
      "request-id": requestId,
      "client-request-id": header(ctx, "client-request-id") ?? requestId,
      "Content-Type":
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
    },
  };
}

function contextFor(ctx: Ctx, set: string, entity: boolean): string {
  const select = ctx.query.get("$select");
  return `${METADATA}#${set}${select ? `(${select})` : ""}${entity ? "/$entity" : ""}`;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A user by object ID or user principal name. */
function getUser(ctx: Ctx, state: State, key: string): Reply {
  const k = key.toLowerCase();
  const user = Object.values(state.directory).find(
    (p) =>
      p.type === "User" && (p.principalId.toLowerCase() === k || p.userPrincipalName?.toLowerCase() === k),
  );
  if (!user)
    return graphError(
      ctx,
      404,
      "Request_ResourceNotFound",
      `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
    );
  return ok(ctx, { "@odata.context": contextFor(ctx, "users", true), ...selected(ctx, userEntity(user)) });
}

/** $filter=appId eq '…' or displayName eq '…' (OData: a quote in the literal is doubled). */
function listServicePrincipals(ctx: Ctx, state: State): Reply {
  const filter = ctx.query.get("$filter");
  const managed = new Set(
    [
      state.operator.principalId,
      ...Object.values(state.userAssignedIdentities).map((u) => u.principalId),
      ...[
        ...Object.values(state.sites),
        ...Object.values(state.vms),
        ...Object.values(state.containerApps),
      ].flatMap((h) => (h.identity.system ? [h.identity.system.principalId] : [])),
    ].map((id) => id.toLowerCase()),
  );
  let match: (p: Principal) => boolean = () => true;
  if (filter !== null) {
    const m = /^\s*(appId|displayName)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter);
    if (!m) {
      const property = /^\s*(\w+)/.exec(filter)?.[1] ?? "";
      return graphError(
        ctx,
        400,
        "Request_UnsupportedQuery",
        `Unsupported or invalid query filter clause specified for property '${property}' of resource 'ServicePrincipal'.`,
      );
    }
    const field = (m[1] ?? "").toLowerCase() === "appid" ? "appId" : "displayName";
    const want = (m[2] ?? "").replaceAll("''", "'").toLowerCase();
    match = (p) => (p[field] ?? "").toLowerCase() === want;
  }
  const value = Object.values(state.directory)
    .filter((p) => p.type === "ServicePrincipal" && match(p))
    .map((p) => selected(ctx, servicePrincipalEntity(p, managed.has(p.principalId.toLowerCase()))));
  return ok(ctx, { "@odata.context": contextFor(ctx, "servicePrincipals", false), value });
}

export async function handleGraph(ctx: Ctx, deps: GraphDeps): Promise<Reply> {
  const caller = await authenticate(ctx, deps);
  if (typeof caller !== "string") return caller;
  ctx.principalId = caller;
  const segments = ctx.path.split("/").slice(1);
  const [version, set, key, ...rest] = segments;
  if (version !== "v1.0" || rest.length > 0 || set === undefined)
    return graphError(
      ctx,
      400,
      "BadRequest",
      `Resource not found for the segment '${segments.at(-1) ?? ""}'.`,
    );
  if (ctx.method !== "GET")
    return graphError(
      ctx,
      405,
      "Request_BadRequest",
      "Specified HTTP method is not allowed for the request target.",
    );
  if (set.toLowerCase() === "users" && key !== undefined && key !== "") {
    if (!mayRead(deps.state, caller, READ_USERS)) return denied(ctx);
    return getUser(ctx, deps.state, decodeSegment(key));
  }
  if (set.toLowerCase() === "serviceprincipals" && key === undefined) {
    if (!mayRead(deps.state, caller, READ_SERVICE_PRINCIPALS)) return denied(ctx);
    return listServicePrincipals(ctx, deps.state);
  }
  return graphError(ctx, 400, "BadRequest", `Resource not found for the segment '${set}'.`);
}
