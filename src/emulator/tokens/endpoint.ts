import { randomUUID, timingSafeEqual } from "node:crypto";
import { type Ctx, header, type Reply } from "../http.js";
import { identityHost, type Settings, type State } from "../state.js";
import type { JwtService, TokenSubject } from "./jwt.js";

export interface TokenDeps {
  state: State;
  settings: Settings;
  jwt: JwtService;
}

export function identityPathFor(resourceId: string): string {
  return `/msi/resources/${Buffer.from(resourceId.toLowerCase(), "utf8").toString("base64url")}/token`;
}

/** App Service's token service answers errors as {statusCode, message, correlationId}. */
function msiError(status: number, message: string): Reply {
  return { status, body: { statusCode: status, message, correlationId: randomUUID() } };
}

function sameSecret(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** "MM/dd/yyyy hh:mm:ss tt +00:00", the 2017-09-01 protocol's expires_on. */
function legacyTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  const h = d.getUTCHours();
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(h % 12 === 0 ? 12 : h % 12)}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"} +00:00`;
}

export interface Selector {
  clientId?: string;
  principalId?: string;
  resourceId?: string;
}

/** Which query parameters name a user-assigned identity, per protocol (see README "Selectors"). */
export interface SelectorNames {
  clientId: readonly string[];
  principalId: readonly string[];
  resourceId: readonly string[];
}

/** App Service 2019-08-01: client_id, principal_id (object_id, which MSAL sends), mi_res_id. */
export const APP_SERVICE_SELECTORS: SelectorNames = {
  clientId: ["client_id"],
  principalId: ["principal_id", "object_id"],
  resourceId: ["mi_res_id"],
};
/** App Service 2017-09-01: clientid only. */
const APP_SERVICE_2017_SELECTORS: SelectorNames = { clientId: ["clientid"], principalId: [], resourceId: [] };
/** The older POST form (`az login --identity`): every spelling (no documentation to follow; a guess). */
const ANY_SELECTORS: SelectorNames = {
  clientId: ["client_id", "clientid"],
  principalId: ["principal_id", "object_id"],
  resourceId: ["mi_res_id", "msi_res_id"],
};
/** IMDS: client_id, object_id, msi_res_id. */
export const IMDS_SELECTORS: SelectorNames = {
  clientId: ["client_id"],
  principalId: ["object_id"],
  resourceId: ["msi_res_id"],
};

/** The selector a request names; a parameter another protocol uses is not one (it is ignored). */
export function selectorOf(
  params: URLSearchParams,
  names: SelectorNames = ANY_SELECTORS,
): Selector | undefined {
  const first = (keys: readonly string[]) => keys.map((k) => params.get(k)).find((v) => v) ?? undefined;
  const clientId = first(names.clientId);
  const principalId = first(names.principalId);
  const resourceId = first(names.resourceId);
  if (!clientId && !principalId && !resourceId) return undefined;
  return { clientId, principalId, resourceId };
}

export function selects(sel: Selector, s: TokenSubject): boolean {
  const eq = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
  return (
    eq(sel.clientId, s.clientId) || eq(sel.principalId, s.principalId) || eq(sel.resourceId, s.resourceId)
  );
}

// Emulator-only (a guess): an app asked after its identity was removed. On App Service the app restarts
// without IDENTITY_ENDPOINT, so no real text is known; see README "Wire decisions that are guesses".
const NO_IDENTITY = "No Managed Identity found for the given resource.";
// Azure's text (Azure.Identity's tests; a Functions app with a wrong client ID, see README).
const NO_MATCH = "No MSI found for specified ClientId/ResourceId.";
// Azure's text for an app with only user-assigned identities asked without client_id (Azure/azure-sdk-for-net#43691).
const NO_DEFAULT = "Unable to load the proper Managed Identity.";

/** A user-assigned identity attached to a host, as a token subject. */
export function userSubjects(state: State, keys: string[]): TokenSubject[] {
  return keys.flatMap((key) => {
    const u = state.userAssignedIdentities[key];
    return u ? [{ principalId: u.principalId, clientId: u.clientId, resourceId: u.id }] : [];
  });
}

function resolveSubject(
  state: State,
  hostKey: string | undefined,
  sel: Selector | undefined,
): TokenSubject | Reply {
  if (hostKey === undefined) {
    const op = state.operator;
    const subject = { principalId: op.principalId, clientId: op.clientId, resourceId: op.resourceId };
    if (sel && !selects(sel, subject)) return msiError(400, NO_MATCH);
    return subject;
  }
  const host = identityHost(state, hostKey);
  if (!host || (!host.identity.system && host.identity.user.length === 0)) return msiError(400, NO_IDENTITY);
  if (sel) {
    const found = userSubjects(state, host.identity.user).find((s) => selects(sel, s));
    return found ?? msiError(400, NO_MATCH);
  }
  if (!host.identity.system) return msiError(400, NO_DEFAULT);
  return { ...host.identity.system, resourceId: host.id };
}

function hostKeyOf(path: string): string | undefined | null {
  if (/^\/msi\/token\/?$/i.test(path)) return undefined;
  const m = /^\/msi\/resources\/([A-Za-z0-9_-]+)\/token\/?$/i.exec(path);
  if (!m?.[1]) return null;
  return Buffer.from(m[1], "base64url").toString("utf8").toLowerCase();
}

/**
 * The App Service identity endpoint: GET 2019-08-01 with X-IDENTITY-HEADER; GET 2017-09-01 with `secret`;
 * and the older POST form (`resource=` in the body, `secret` or `Metadata: true`) used by `az login --identity`.
 */
export async function handleIdentity(ctx: Ctx, deps: TokenDeps): Promise<Reply> {
  const hostKey = hostKeyOf(ctx.path);
  if (hostKey === null) return msiError(404, "The requested identity endpoint does not exist.");
  if (ctx.method !== "GET" && ctx.method !== "POST")
    return msiError(405, `Method '${ctx.method}' is not allowed.`);
  const secret = deps.settings.identityHeader;
  const params = new URLSearchParams(ctx.query);
  let protocol: "2019" | "2017" | "post";
  if (ctx.method === "POST") {
    protocol = "post";
    for (const [k, v] of new URLSearchParams(ctx.rawBody)) params.set(k, v);
    if (!sameSecret(header(ctx, "secret"), secret) && header(ctx, "metadata")?.toLowerCase() !== "true") {
      return msiError(401, "Unauthorized: the 'secret' or 'Metadata' header is missing or invalid.");
    }
  } else {
    const apiVersion = params.get("api-version");
    if (!apiVersion) return msiError(400, "Required query variable 'api-version' is missing.");
    ctx.apiVersion = apiVersion;
    if (apiVersion === "2019-08-01") protocol = "2019";
    else if (apiVersion === "2017-09-01") protocol = "2017";
    else
      return msiError(
        400,
        `Unsupported api-version '${apiVersion}'. Supported versions are 2017-09-01 and 2019-08-01.`,
      );
    const given = protocol === "2019" ? header(ctx, "x-identity-header") : header(ctx, "secret");
    if (!sameSecret(given, secret)) {
      return msiError(
        401,
        `Unauthorized: the '${protocol === "2019" ? "X-IDENTITY-HEADER" : "secret"}' header is missing or invalid.`,
      );
    }
  }
  const resource = params.get("resource");
  if (!resource) return msiError(400, "Required query variable 'resource' is missing.");

  const names =
    protocol === "2019"
      ? APP_SERVICE_SELECTORS
      : protocol === "2017"
        ? APP_SERVICE_2017_SELECTORS
        : ANY_SELECTORS;
  const subject = resolveSubject(deps.state, hostKey, selectorOf(params, names));
  if ("status" in subject) return subject;
  ctx.principalId = subject.principalId;
  const issued = await deps.jwt.issue(subject, resource, deps.settings.tokenLifetimeSeconds);
  const common = { access_token: issued.token, resource, token_type: "Bearer" };
  if (protocol === "2019") {
    return {
      status: 200,
      body: { ...common, expires_on: String(issued.expiresOn), client_id: subject.clientId },
    };
  }
  if (protocol === "2017") {
    return { status: 200, body: { ...common, expires_on: legacyTime(issued.expiresOn) } };
  }
  return {
    status: 200,
    body: {
      ...common,
      refresh_token: "",
      expires_in: String(issued.expiresOn - issued.notBefore),
      expires_on: String(issued.expiresOn),
      not_before: String(issued.notBefore),
    },
  };
}
