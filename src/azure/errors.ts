// Reads what the Azure SDK throws, and turns it into miauth's typed errors with a one-line message and a hint.
import type * as Pipeline from "@azure/core-rest-pipeline";
import { AuthError, MiauthError, NotFoundError, PermissionError } from "../errors.js";

interface RestLike {
  name?: string;
  message?: string;
  errors?: unknown[];
}

let isRestError: ((err: unknown) => err is Pipeline.RestError) | undefined;

/**
 * Loads the SDK's HTTP pipeline, and with it `isRestError`, which the reader below is built on. The
 * credential and the clients factory call it before any request; it is not imported at the top because
 * --help and --version never load the SDK (and before the SDK is loaded, no RestError can exist).
 */
export async function loadPipeline(): Promise<typeof Pipeline> {
  const pipeline = await import("@azure/core-rest-pipeline");
  isRestError ??= pipeline.isRestError;
  return pipeline;
}

/** The SDK's error for a request that failed (an HTTP status, or no reply at all), else undefined. */
export function restError(err: unknown): Pipeline.RestError | undefined {
  return isRestError?.(err) ? err : undefined;
}

/** An Azure request's failure: its HTTP status (none when no reply came) and Azure's error code. */
export interface AzureFailure {
  status?: number;
  code?: string;
  message?: string;
}

/**
 * The one reader of Azure error codes. A RestError: ARM's envelope `{error: {code, message}}`, Storage's
 * `x-ms-error-code` (details.errorCode), else the SDK's own code (REQUEST_SEND_ERROR, PARSE_ERROR).
 * Anything else (a network error, core-lro's failed operation): its own code, and no status.
 */
export function azureFailure(err: unknown): AzureFailure {
  const rest = restError(err);
  if (rest) {
    const reply = replyError(rest);
    return {
      status: rest.statusCode,
      code: reply?.code ?? rest.code,
      message: reply?.message ?? rest.message,
    };
  }
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  return {
    code: typeof e.code === "string" ? e.code : undefined,
    message: typeof e.message === "string" ? e.message : undefined,
  };
}

/** The error Azure itself put in the reply: ARM's envelope, or Storage's x-ms-error-code. */
function replyError(rest: Pipeline.RestError): { code?: string; message?: string } | undefined {
  const details = rest.details as
    | { error?: { code?: string; message?: string }; errorCode?: string }
    | undefined;
  if (details?.error) return details.error;
  return details?.errorCode ? { code: details.errorCode } : undefined;
}

/** Azure's own error code from the reply (AuthorizationPermissionMismatch, …), not the SDK's. */
export function replyErrorCode(err: unknown): string | undefined {
  const rest = restError(err);
  return rest ? replyError(rest)?.code : undefined;
}

/** Azure's error code for what the SDK threw (PrincipalNotFound, RoleAssignmentExists, …). */
export function azureErrorCode(err: unknown): string | undefined {
  return azureFailure(err).code;
}

/** The HTTP status of the reply a request failed with; undefined when there was none. */
export function httpStatus(err: unknown): number | undefined {
  return restError(err)?.statusCode;
}

/** MSAL's managed-identity errors carry the endpoint's own words in "Description: … - Correlation ID". */
export function endpointDescription(text: string): string | undefined {
  const described = /Description: (.+?) - (?:Correlation ID|Trace ID)/.exec(text)?.[1];
  return described && !/^Not Available$/i.test(described) ? described : undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

const CREDENTIAL_ERRORS = new Set([
  "AggregateAuthenticationError",
  "CredentialUnavailableError",
  "AuthenticationError",
  "AuthenticationRequiredError",
]);

export interface ErrorContext {
  /** e.g. "web app 'x' in resource group 'rg'" */
  what?: string;
  armEndpoint?: string;
}

export function translateAzureError(err: unknown, ctx: ErrorContext = {}): unknown {
  if (err instanceof MiauthError) return err;
  const e = (err ?? {}) as RestLike;
  // Ctrl-C and the deadline are told apart in cli.ts from their signals: an abort by itself is
  // the SDK giving up on a request (a broken connection or its own time limit).
  if (e.name === "AbortError" || (err instanceof DOMException && e.name === "TimeoutError"))
    return new MiauthError("a request was aborted before its reply was complete", {
      cause: err,
      hint: "run the command again; with --debug to see the request",
    });
  if (e.name && CREDENTIAL_ERRORS.has(e.name)) return credentialError(e);

  const { status, code, message = e.message ?? "request failed" } = azureFailure(err);
  if (status === 401) {
    return new AuthError(`ARM rejected the token${code ? ` (${code})` : ""}: ${oneLine(message)}`, {
      azureCode: code,
      cause: err,
      hint: "sign in again (az login) or check that --cloud matches the ARM endpoint",
    });
  }
  if (status === 403) {
    const m = /perform action '([^']+)' over scope '([^']+)'/.exec(message);
    if (m) {
      return new PermissionError(`permission denied: the caller may not perform '${m[1]}' on '${m[2]}'`, {
        azureCode: code,
        cause: err,
        hint: `ask an Owner or User Access Administrator for a role that grants '${m[1]}' at that scope or above; if it was granted just now, retry in a few minutes`,
      });
    }
    return new PermissionError(`permission denied${code ? ` (${code})` : ""}: ${oneLine(message)}`, {
      azureCode: code,
      cause: err,
    });
  }
  if (status === 404 && code === "SubscriptionNotFound") {
    // ARM answers this for any path under a subscription that does not exist or that the credential
    // cannot see ("The subscription '{id}' could not be found.", Azure/azure-cli#33657; older replies
    // "Subscription {id} was not found."): the target itself was never looked at.
    const id = /subscription '?([^' ]+?)'? (?:could not be|was not) found/i.exec(message)?.[1];
    return new NotFoundError(
      `subscription ${id ? `'${id}' ` : ""}was not found, or the credential cannot see it`,
      {
        azureCode: code,
        cause: err,
        hint: "check --subscription (or AZURE_SUBSCRIPTION_ID); list the subscriptions the credential can see with 'az account list -o table'",
      },
    );
  }
  if (status === 404) {
    const what =
      code === "ResourceGroupNotFound"
        ? oneLine(message)
        : ctx.what
          ? `${ctx.what} was not found`
          : oneLine(message);
    return new NotFoundError(what.replace(/\.$/, ""), {
      azureCode: code,
      cause: err,
      hint:
        code === "ResourceGroupNotFound"
          ? "check -g and the subscription (--subscription)"
          : "check the name, the resource group and the subscription",
    });
  }
  if (
    code === "REQUEST_SEND_ERROR" ||
    (status === undefined && /ECONN|ENOTFOUND|EAI_AGAIN|socket/i.test(message))
  ) {
    return new MiauthError(
      `could not reach ARM${ctx.armEndpoint ? ` at ${ctx.armEndpoint}` : ""}: ${oneLine(message)}`,
      {
        cause: err,
        hint: "check the network, --arm-endpoint / MIAUTH_ARM_ENDPOINT and --cloud",
      },
    );
  }
  if (status === 429) {
    return new MiauthError(`ARM is still throttling after retries (${code ?? "429"}): ${oneLine(message)}`, {
      azureCode: code,
      cause: err,
      hint: "wait a minute and run the command again",
    });
  }
  if (status !== undefined || code) {
    return new MiauthError(`${code ? `${code}: ` : ""}${oneLine(message)}`, { azureCode: code, cause: err });
  }
  return err;
}

// 410: IMDS while it is being updated (@azure/identity waited 70 s for it; we say so and stop).
const TRANSIENT_STATUSES = [410, 429, 500, 502, 503, 504];
const TRANSIENT_CODES = [
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EPIPE",
  "network_error",
];

interface TokenFailure {
  statusCode?: number;
  status?: number;
  code?: string;
  errorCode?: string;
  message?: string;
  errors?: unknown[];
  cause?: unknown;
}

/** The error, the chain's inner errors and their causes (MSAL's ServerError carries the HTTP status). */
function failures(err: unknown, depth = 0): TokenFailure[] {
  const e = err as TokenFailure | undefined;
  if (!e || typeof e !== "object" || depth > 4) return [];
  return [e, ...(e.errors ?? []).flatMap((x) => failures(x, depth + 1)), ...failures(e.cause, depth + 1)];
}

function transientPart(e: TokenFailure): string | undefined {
  const status = e.statusCode ?? e.status;
  if (typeof status === "number" && TRANSIENT_STATUSES.includes(status)) return `status ${status}`;
  const code = [e.code, e.errorCode].find((c) => c !== undefined && TRANSIENT_CODES.includes(c));
  return code === "network_error" ? "no connection" : code;
}

/** The token endpoint failed in a way that may pass (5xx, 429, a reset), not a missing or refused sign-in. */
export function isTransientTokenError(err: unknown): boolean {
  return failures(err).some((e) => transientPart(e) !== undefined);
}

/** Why the token request failed, in a few words: the status or network code, and the endpoint's own words. */
export function tokenFailureReason(err: unknown): string {
  const all = failures(err);
  const part = all.map(transientPart).find((p) => p !== undefined) ?? "no reply";
  const described = all
    .map((e) => endpointDescription(oneLine(e.message ?? "")))
    .find((d) => d !== undefined);
  return described ? `${part}: ${described}` : part;
}

function credentialError(e: RestLike): MiauthError {
  if (isTransientTokenError(e)) {
    return new MiauthError(`the managed identity endpoint is unavailable (${tokenFailureReason(e)})`, {
      cause: e,
      hint: "this is usually brief: run the command again in a minute",
    });
  }
  const inner = (e.errors ?? []) as RestLike[];
  const tried = (inner.length > 0 ? inner : [e]).map((x) => `${credentialName(x)} (${credentialReason(x)})`);
  return new AuthError(`authentication failed: no credential worked; tried ${tried.join(", ")}`, {
    cause: e,
    hint: "sign in with 'az login' or 'azd auth login', set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or run where a managed identity is available; to rehearse without Azure: miauth emulator start",
  });
}

// The SDK's messages name the credential in prose; these patterns turn them into the class names.
const CREDENTIAL_NAMES: [RegExp, string][] = [
  [/EnvironmentCredential/, "EnvironmentCredential"],
  [/WorkloadIdentityCredential|workload identity/i, "WorkloadIdentityCredential"],
  // Entra's refusal of a federated token (AADSTS70021 …), which MSAL passes on without a credential's name.
  [/No matching federated identity record/i, "WorkloadIdentityCredential"],
  [/ManagedIdentityCredential|managed identity/i, "ManagedIdentityCredential"],
  [/Visual Studio Code/, "VisualStudioCodeCredential"],
  [/Azure Developer CLI|azd/, "AzureDeveloperCliCredential"],
  [/Azure CLI|az login/, "AzureCliCredential"],
  [/PowerShell/, "AzurePowerShellCredential"],
];

function credentialName(e: RestLike): string {
  const message = e.message ?? "";
  return CREDENTIAL_NAMES.find(([re]) => re.test(message))?.[1] ?? e.name ?? "credential";
}

function credentialReason(e: RestLike): string {
  const m = oneLine(e.message ?? "");
  const described = endpointDescription(m);
  if (described) return described;
  if (/could not be found|couldn't be found|not installed|Unable to execute/i.test(m)) return "not installed";
  // The SDK's text when IMDS does not answer, and ours for an App Service app without an identity
  // (NoManagedIdentityError); Azure's own replies ("Identity not found") come through their Description.
  if (/IMDS endpoint, but it is not available|only for an app with a managed identity/i.test(m)) {
    return "no managed identity here";
  }
  if (/is unavailable|not (fully )?configured|environment variables/i.test(m)) return "not configured";
  if (/az login|not logged in|Please run/i.test(m)) return "not signed in";
  if (/not available|Ensure you have/i.test(m)) return "not available";
  const reason = m
    .replace(/^\w+Credential:?\s*/, "")
    .replace(/To troubleshoot.*$/, "")
    .trim();
  return reason.length > 120 ? `${reason.slice(0, 117)}...` : reason;
}

/** The command's deadline aborted this signal (its reason is a TimeoutError), not Ctrl-C. */
export function deadlinePassed(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (signal.reason as Error | undefined)?.name === "TimeoutError";
}
