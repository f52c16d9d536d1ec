// The Azure Instance Metadata Service (IMDS) as a VM sees it: plain HTTP, one loopback port per VM (a real
// VM reaches 169.254.169.254 and IMDS knows which VM asks; here the port says it). `emulator env --as VM`
// points an app at it with AZURE_POD_IDENTITY_AUTHORITY_HOST. Never 169.254.169.254 itself.
import { type Ctx, header, type Reply } from "../http.js";
import type { Settings, State, Vm } from "../state.js";
import { IMDS_SELECTORS, selectorOf, selects, userSubjects } from "./endpoint.js";
import type { JwtService, TokenSubject } from "./jwt.js";

export interface ImdsDeps {
  state: State;
  settings: Settings;
  jwt: JwtService;
}

/** IMDS's token errors are OAuth-shaped: {error, error_description}. */
function oauthError(description: string): Reply {
  return { status: 400, body: { error: "invalid_request", error_description: description } };
}

// Azure's texts: "Identity not found" (the issue's reports of IMDS on a VM without an identity), "Required
// metadata header not specified" (IMDS docs' FAQ and the managed-identity docs' error table), "Multiple user
// assigned identities exist, …" (public reports of IMDS on nodes with several identities).
const NOT_FOUND = "Identity not found";
const NO_METADATA = "Required metadata header not specified";
const MULTIPLE =
  "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request";

function resolve(state: State, vm: Vm, params: URLSearchParams): TokenSubject | Reply {
  const users = userSubjects(state, vm.identity.user);
  const system = vm.identity.system && { ...vm.identity.system, resourceId: vm.id };
  const sel = selectorOf(params, IMDS_SELECTORS);
  if (sel) {
    // Guess: a selector naming no identity of this VM gets the same "Identity not found".
    return [...(system ? [system] : []), ...users].find((s) => selects(sel, s)) ?? oauthError(NOT_FOUND);
  }
  if (system) return system;
  if (users.length === 1 && users[0]) return users[0];
  return oauthError(users.length > 1 ? MULTIPLE : NOT_FOUND);
}

async function token(ctx: Ctx, deps: ImdsDeps, vm: Vm): Promise<Reply> {
  if (header(ctx, "metadata")?.toLowerCase() !== "true") return oauthError(NO_METADATA);
  const params = ctx.query;
  const apiVersion = params.get("api-version");
  if (!apiVersion) return oauthError("Required api-version parameter not specified"); // guess
  ctx.apiVersion = apiVersion;
  const resource = params.get("resource");
  if (!resource) return oauthError("Required audience parameter not specified"); // guess
  const subject = resolve(deps.state, vm, params);
  if ("status" in subject) return subject;
  ctx.principalId = subject.principalId;
  const issued = await deps.jwt.issue(subject, resource, deps.settings.tokenLifetimeSeconds);
  return {
    status: 200,
    body: {
      access_token: issued.token,
      refresh_token: "",
      expires_in: String(issued.expiresOn - issued.notBefore),
      expires_on: String(issued.expiresOn),
      not_before: String(issued.notBefore),
      resource,
      token_type: "Bearer",
    },
  };
}

/** GET /metadata/instance: the `compute` part a program reads to learn which VM it runs on. */
function instance(ctx: Ctx, vm: Vm): Reply {
  if (header(ctx, "metadata")?.toLowerCase() !== "true")
    return { status: 400, body: { error: "Bad request. Required metadata header not specified" } };
  const apiVersion = ctx.query.get("api-version");
  if (!apiVersion)
    return {
      status: 400,
      body: {
        error:
          "Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds",
      },
    };
  ctx.apiVersion = apiVersion;
  return {
    status: 200,
    body: {
      compute: {
        azEnvironment: "AzurePublicCloud",
        location: vm.location,
        name: vm.name,
        osType: vm.osType,
        provider: "Microsoft.Compute",
        resourceGroupName: vm.resourceGroup,
        resourceId: vm.id,
        subscriptionId: vm.subscriptionId,
        vmId: vm.vmId,
        vmSize: vm.vmSize,
      },
    },
  };
}

/** One IMDS request for the VM whose port it came to (`ctx.host`, its state key). */
export async function handleImds(ctx: Ctx, deps: ImdsDeps): Promise<Reply> {
  const vm = ctx.host === undefined ? undefined : deps.state.vms[ctx.host];
  if (!vm) return { status: 404, body: { error: "Not found" } };
  if (ctx.method !== "GET") return { status: 405, body: { error: "Method not allowed" } };
  // MSAL sends the token path with a trailing slash; curl and the docs without.
  if (/^\/metadata\/identity\/oauth2\/token\/?$/i.test(ctx.path)) return token(ctx, deps, vm);
  if (/^\/metadata\/instance\/?$/i.test(ctx.path)) return instance(ctx, vm);
  return { status: 404, body: { error: "Not found" } };
}
