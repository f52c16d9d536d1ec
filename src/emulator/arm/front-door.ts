import { type Ctx, header, type Reply } from "../http.js";
import { authorizationFailed, isAuthorized } from "../rbac/evaluate.js";
import type { State } from "../state.js";
import type { JwtService } from "../tokens/jwt.js";
import { armError } from "./replies.js";
import type { Router } from "./router.js";

export const ARM_AUDIENCES = [
  "https://management.core.windows.net/",
  "https://management.core.windows.net",
  "https://management.azure.com/",
  "https://management.azure.com",
];

export interface ArmDeps {
  state: State;
  jwt: JwtService;
  router: Router;
}

/** .NET's invariant "G" format, which ARM uses in ExpiredAuthenticationToken messages. */
function dotnetTime(d: Date): string {
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${time}`;
}

function unauthorized(tenantId: string, code: string, message: string, description: string): Reply {
  return armError(401, code, message, {
    headers: {
      "WWW-Authenticate": `Bearer authorization_uri="https://login.windows.net/${tenantId}", error="invalid_token", error_description="${description}"`,
    },
  });
}

async function authenticate(ctx: Ctx, deps: ArmDeps): Promise<Reply | string> {
  const tenantId = deps.state.tenantId;
  const auth = header(ctx, "authorization");
  if (auth === undefined || auth.trim() === "") {
    return unauthorized(
      tenantId,
      "AuthenticationFailed",
      "Authentication failed. The 'Authorization' header is missing.",
      "The authentication failed because of missing 'Authorization' header.",
    );
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m?.[1]) {
    return unauthorized(
      tenantId,
      "AuthenticationFailed",
      "Authentication failed. The 'Authorization' header is provided in an invalid format.",
      "The authentication failed because of invalid 'Authorization' header.",
    );
  }
  const result = await deps.jwt.verify(m[1]);
  if (!result.ok && result.reason === "expired") {
    const expiredAt = new Date((result.expiredAt ?? 0) * 1000);
    return unauthorized(
      tenantId,
      "ExpiredAuthenticationToken",
      `The access token expiry UTC time '${dotnetTime(expiredAt)}' is earlier than current UTC time '${dotnetTime(new Date())}'.`,
      "The access token has expired.",
    );
  }
  if (!result.ok) {
    return unauthorized(
      tenantId,
      "InvalidAuthenticationToken",
      "The access token is invalid.",
      "The access token is invalid.",
    );
  }
  const aud = result.claims.aud;
  if (typeof aud !== "string" || !ARM_AUDIENCES.includes(aud)) {
    return unauthorized(
      tenantId,
      "InvalidAuthenticationTokenAudience",
      `The access token has been obtained for wrong audience or resource '${String(aud)}'. It should exactly match with one of the allowed audiences ${ARM_AUDIENCES.map((a) => `'${a}'`).join(",")}.`,
      "The access token has been obtained for wrong audience or resource.",
    );
  }
  return String(result.claims.oid ?? "");
}

function apiVersionError(
  ctx: Ctx,
  versions: readonly string[],
  provider?: { namespace: string; type: string },
): Reply {
  const given = ctx.query.get("api-version") ?? "";
  if (provider) {
    return armError(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for location 'eastus' and API version '${given}' for type '${provider.type}'. The supported api-versions are '${versions.join(", ")}'. The supported locations are 'eastus, westus, westeurope, northeurope'.`,
    );
  }
  return armError(
    400,
    "InvalidApiVersionParameter",
    `The api-version '${given}' is invalid. The supported versions are '${[...versions].reverse().join(",")}'.`,
  );
}

/** ARM's order: authentication, routing, api-version, authorization; handlers then check existence. */
export async function handleArm(ctx: Ctx, deps: ArmDeps): Promise<Reply> {
  if (ctx.path.includes("//")) {
    // ARM does not normalise a double slash; the first segment is then empty and no subscription is found.
    return armError(
      400,
      "MissingSubscription",
      "The request did not have a subscription or a valid tenant level resource provider.",
    );
  }
  const principal = await authenticate(ctx, deps);
  if (typeof principal !== "string") return principal;
  ctx.principalId = principal;

  const match = deps.router.match(ctx.method, ctx.path);
  if (match === "method") {
    return armError(
      405,
      "MethodNotAllowed",
      `The requested resource does not support http method '${ctx.method}'.`,
    );
  }
  if (!match || match.route.kind !== "arm") return notFound(ctx);
  const { route, params } = match;
  ctx.params = params;

  const apiVersion = ctx.query.get("api-version");
  if (!apiVersion) {
    return armError(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  if (!route.apiVersions.includes(apiVersion)) return apiVersionError(ctx, route.apiVersions, route.provider);
  ctx.apiVersion = apiVersion;
  const encoded = encodedSlash(params.scope);
  if (encoded) return encoded;

  const state = deps.state;
  const sub = params.subscriptionId ?? /^\/subscriptions\/([^/]+)/i.exec(params.scope ?? "")?.[1];
  if (
    sub !== undefined &&
    !state.subscriptions.some((s) => s.subscriptionId.toLowerCase() === sub.toLowerCase())
  ) {
    return armError(404, "SubscriptionNotFound", `The subscription '${sub}' could not be found.`);
  }
  if (route.action && !isAuthorized(state, principal, route.action, ctx.path)) {
    return authorizationFailed(principal, route.action, ctx.path);
  }
  return route.handler(ctx);
}

/**
 * A scope with an encoded slash (%2F) is refused, not decoded into segments (pulumi/pulumi-azure-native#3637):
 * in the first segment there is then no subscription, further in the scope is malformed. The codes and
 * messages are the ones ARM gives for those cases; that it gives them here is a guess (README, "%2F").
 */
function encodedSlash(scope: string | undefined): Reply | undefined {
  if (scope === undefined || !/%2f/i.test(scope)) return undefined;
  if (/%2f/i.test(scope.split("/")[1] ?? "")) {
    return armError(
      400,
      "MissingSubscription",
      "The request did not have a subscription or a valid tenant level resource provider.",
    );
  }
  return armError(400, "InvalidScope", `The scope '${scope}' is not valid.`);
}

function notFound(ctx: Ctx): Reply {
  const m = /\/providers\/([^/]+)\/([^/]+)/i.exec(ctx.path);
  if (m) {
    return armError(
      404,
      "InvalidResourceType",
      `The resource type '${m[2]}' could not be found in the namespace '${m[1]}' for api version '${ctx.query.get("api-version") ?? ""}'.`,
    );
  }
  return armError(404, "NotFound", `The requested path '${ctx.path}' does not exist.`);
}
