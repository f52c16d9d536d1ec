// An Entra-like token service on loopback for workload identity federation: the discovery document MSAL
// reads (GET /{tenant}/v2.0/.well-known/openid-configuration) and the token endpoint (POST
// /{tenant}/oauth2/v2.0/token) taking a client assertion (RFC 7523) for a user-assigned identity's client
// ID. The assertion is accepted when it is signed by the emulator's GitHub issuer and a federated
// credential of that identity has its issuer, subject and audience. Error bodies are Entra's shape;
// texts and sources in README, "Workload identity federation".
import { randomUUID, timingSafeEqual } from "node:crypto";
import { type Ctx, header, type Reply } from "../http.js";
import type { Settings, State } from "../state.js";
import type { GithubIssuer } from "./github.js";
import type { JwtService } from "./jwt.js";

export interface EntraDeps {
  state: State;
  settings: Settings;
  jwt: JwtService;
  github: GithubIssuer;
}

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export function isEntraPath(path: string): boolean {
  return /^\/[A-Za-z0-9.-]+\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration)$/.test(path);
}

export function isGithubPath(path: string): boolean {
  return /^\/github\/(\.well-known\/(openid-configuration|jwks)|idtoken)$/.test(path);
}

/** Entra's error body: {error, error_description, error_codes, timestamp, trace_id, correlation_id, error_uri}. */
function entraError(status: number, error: string, code: number, text: string): Reply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

export async function handleGithub(ctx: Ctx, deps: EntraDeps): Promise<Reply> {
  if (ctx.method !== "GET") return { status: 405, body: { message: "Method not allowed" } };
  const base = `${deps.settings.baseUrl}/github`;
  if (ctx.path.endsWith("/jwks")) return { status: 200, body: await deps.github.jwks() };
  if (ctx.path.endsWith("/idtoken")) return idToken(ctx, deps);
  // The real document's issuer is GitHub's; its keys here are the emulator's, on loopback.
  return {
    status: 200,
    body: {
      issuer: "https://token.actions.githubusercontent.com",
      jwks_uri: `${base}/.well-known/jwks`,
      subject_types_supported: ["public", "pairwise"],
      response_types_supported: ["id_token"],
      claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "environment"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid"],
    },
  };
}

/**
 * A job's OIDC token request: GET ACTIONS_ID_TOKEN_REQUEST_URL[&audience=A] with `Authorization: Bearer
 * ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answered `{value}` (what actions/toolkit's core.getIDToken sends and
 * reads, packages/core/src/oidc-utils.ts). The 401 text is a guess.
 */
async function idToken(ctx: Ctx, deps: EntraDeps): Promise<Reply> {
  const job = deps.github.job(ctx.query.get("job") ?? "");
  const given = Buffer.from(/^bearer (.+)$/i.exec(header(ctx, "authorization") ?? "")?.[1] ?? "");
  const secret = Buffer.from(job?.secret ?? "");
  if (!job || given.length !== secret.length || !timingSafeEqual(given, secret))
    return {
      status: 401,
      body: { message: "Unauthorized: the token request needs this job's bearer token." },
    };
  const audience = ctx.query.get("audience") ?? undefined;
  const { token } = await deps.github.issue(job.workflow, 300, audience);
  return { status: 200, body: { count: 1, value: token } };
}

export async function handleEntra(ctx: Ctx, deps: EntraDeps): Promise<Reply> {
  const [, tenant = ""] = ctx.path.split("/");
  const { state, settings } = deps;
  if (tenant.toLowerCase() !== state.tenantId.toLowerCase() && tenant.toLowerCase() !== "organizations") {
    return entraError(
      400,
      "invalid_tenant",
      90002,
      `Tenant '${tenant}' not found. This may happen if there are no active subscriptions for the tenant. Check to make sure you have the correct tenant ID. Check with your subscription administrator.`,
    );
  }
  const authority = `${settings.baseUrl}/${state.tenantId}`;
  if (ctx.path.endsWith("/openid-configuration")) {
    if (ctx.method !== "GET") return { status: 405 };
    return {
      status: 200,
      body: {
        token_endpoint: `${authority}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          "client_secret_post",
          "private_key_jwt",
          "client_secret_basic",
        ],
        jwks_uri: `${authority}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${authority}/v2.0`,
        request_uri_parameter_supported: false,
        authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
        tenant_region_scope: "NA",
        cloud_instance_name: "microsoftonline.com",
      },
    };
  }
  if (ctx.method !== "POST")
    return entraError(405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
  const form = new URLSearchParams(ctx.rawBody);
  for (const p of ["grant_type", "client_id", "scope"]) {
    if (!form.get(p))
      return entraError(
        400,
        "invalid_request",
        900144,
        `The request body must contain the following parameter: '${p}'.`,
      );
  }
  if (form.get("grant_type") !== "client_credentials") {
    return entraError(
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${form.get("grant_type")}'.`,
    );
  }
  const assertion = form.get("client_assertion");
  if (!assertion || form.get("client_assertion_type") !== JWT_BEARER) {
    return entraError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const clientId = form.get("client_id") ?? "";
  const identity = Object.values(state.userAssignedIdentities).find(
    (u) => u.clientId.toLowerCase() === clientId.toLowerCase(),
  );
  if (!identity) {
    return entraError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${state.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const checked = await deps.github.check(assertion);
  if (!checked.ok) {
    return checked.reason === "expired"
      ? entraError(400, "invalid_client", 700024, "Client assertion is not within its valid time range.")
      : entraError(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
  }
  const { iss, sub } = checked.claims;
  const auds = [checked.claims.aud ?? []].flat();
  const credentials = state.federatedCredentials[identity.id.toLowerCase()] ?? [];
  // Issuer, subject and audience are compared exactly (case-sensitively: see README). Entra's text and
  // status for no match, from a real reply (Azure/azure-workload-identity#616).
  const trusted = credentials.some(
    (c) => c.issuer === iss && c.subject === sub && c.audiences.some((a) => auds.includes(a)),
  );
  if (!trusted) {
    return entraError(
      400,
      "invalid_request",
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${auds.join(",")}'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation`,
    );
  }
  const scope = (form.get("scope") ?? "").split(" ").find((s) => s.endsWith("/.default"));
  if (!scope) {
    return entraError(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${form.get("scope")} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const resource = scope.slice(0, -"/.default".length);
  ctx.principalId = identity.principalId;
  const issued = await deps.jwt.issue(
    { principalId: identity.principalId, clientId: identity.clientId, resourceId: identity.id },
    resource,
    settings.tokenLifetimeSeconds,
  );
  const lifetime = issued.expiresOn - issued.notBefore;
  return {
    status: 200,
    body: {
      token_type: "Bearer",
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: issued.token,
    },
  };
}
