// DefaultAzureCredential, as the guide's code uses it: az login, environment / service principal,
// workload identity and managed identity all work. AZURE_TOKEN_CREDENTIALS narrows the chain.
//
// Token requests are retried here, not inside @azure/identity: its ManagedIdentityCredential retries a
// 503 or a reset five times with backoff from 800 ms (12-25 s, silently), and DefaultAzureCredential
// drops every option when AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential. So the SDK's retries are
// off (maxRetries 0), and transient failures are retried a bounded number of times, each announced.
import { setTimeout as sleep } from "node:timers/promises";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type { HttpClient, PipelinePolicy } from "@azure/core-rest-pipeline";
import { UsageError } from "../errors.js";
import type { Cloud } from "./clouds.js";
import { isTransientTokenError, loadPipeline, tokenFailureReason } from "./errors.js";
import { appServiceWithoutIdentity, type HostRef } from "./hosts.js";
import { checkDestination, isLoopbackUrl, nothingAnswers, OffMachineRefused } from "./loopback.js";
import { backoffMs } from "./policies.js";

/**
 * DefaultAzureCredential's chain in @azure/identity 4.13.1, in its order (the broker credential, which
 * needs a plugin miauth does not ship, left out).
 */
export const CHAIN = [
  "EnvironmentCredential",
  "WorkloadIdentityCredential",
  "ManagedIdentityCredential",
  "VisualStudioCodeCredential",
  "AzureCliCredential",
  "AzurePowerShellCredential",
  "AzureDeveloperCliCredential",
] as const;

// What DefaultAzureCredential accepts in AZURE_TOKEN_CREDENTIALS (trimmed, any case); anything else
// makes its constructor throw, which would surface as a failure rather than as bad input.
const TOKEN_CREDENTIALS = ["dev", "prod", ...CHAIN];

/** AZURE_TOKEN_CREDENTIALS, checked before any credential is built or any request sent. */
export function checkTokenCredentials(env: NodeJS.ProcessEnv): void {
  const value = env.AZURE_TOKEN_CREDENTIALS?.trim();
  if (!value) return;
  if (!TOKEN_CREDENTIALS.some((v) => v.toLowerCase() === value.toLowerCase())) {
    throw new UsageError(
      `invalid AZURE_TOKEN_CREDENTIALS '${value}': use dev, prod or one of ${TOKEN_CREDENTIALS.slice(2).join(", ")}`,
    );
  }
}

/**
 * The Entra authority the credentials sign in at: AZURE_AUTHORITY_HOST when set (as @azure/identity reads
 * it when no authorityHost option is given), else the cloud's. For a loopback authority (the emulator's
 * token endpoint) MSAL's instance discovery, a request to login.microsoftonline.com/common/discovery/instance,
 * is turned off with `disableInstanceDiscovery` (MSAL then trusts the authority as a known one and reads
 * only its own {authority}/v2.0/.well-known/openid-configuration).
 */
export function authorityOptions(
  cloud: Cloud,
  env: NodeJS.ProcessEnv,
): { authorityHost: string; disableInstanceDiscovery?: boolean } {
  const given = env.AZURE_AUTHORITY_HOST?.trim();
  if (!given) return { authorityHost: cloud.authorityHost };
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(
      `invalid AZURE_AUTHORITY_HOST '${given.replace(/[?#].*$/s, "")}': expected an https URL`,
    );
  }
  if (url.protocol !== "https:" || url.username || url.password || url.search || url.hash)
    throw new UsageError(
      `invalid AZURE_AUTHORITY_HOST '${url.origin}': expected an https URL without a query`,
    );
  const authorityHost = given.replace(/\/+$/, "");
  return isLoopbackUrl(authorityHost) ? { authorityHost, disableInstanceDiscovery: true } : { authorityHost };
}

/** Retries of a token request that failed transiently (503, 5xx, 429, a reset). */
export const TOKEN_RETRIES = 2;

export interface CredentialNotice {
  warn: (line: string) => void;
  /** Time left before the command's deadline. */
  remainingMs: () => number;
  /** Ctrl-C and the command's deadline: token requests end with them too. */
  signal: () => AbortSignal;
  /** --debug: the trace policy, for token requests too. */
  trace?: PipelinePolicy;
  /** While it is loopback, token requests to other hosts are refused (loopback.ts). */
  armEndpoint?: string;
}

/** A token request refused or unanswered (loopback.ts), kept to be thrown instead of the chain's summary. */
export interface Stop {
  error?: Error;
}

/**
 * An App Service app without a managed identity: told at once instead of letting the SDK try IMDS, which
 * App Service does not serve. Named like the SDK's own "this credential cannot work here" error.
 */
export class NoManagedIdentityError extends Error {
  readonly code = "NoManagedIdentity";
  constructor(readonly host: HostRef) {
    super(
      `ManagedIdentityCredential: ${host.kind === "containerapp" ? "Container Apps" : "App Service"} set no IDENTITY_ENDPOINT for '${host.name}', which it sets only for an app with a managed identity`,
    );
    this.name = "CredentialUnavailableError";
  }
}

export async function createCredential(cloud: Cloud, notice: CredentialNotice): Promise<SharedCredential> {
  const app = appServiceWithoutIdentity(process.env);
  if (app) {
    return {
      getToken: () => Promise.reject(new NoManagedIdentityError(app)),
      prefetch: () => {},
    };
  }
  const identity = await import("@azure/identity");
  const stop: Stop = {};
  const options = {
    ...authorityOptions(cloud, process.env),
    retryOptions: { maxRetries: 0 },
    httpClient: await boundHttpClient(notice, stop),
  };
  const only = process.env.AZURE_TOKEN_CREDENTIALS?.trim().toLowerCase();
  // The same credential DefaultAzureCredential builds for this value, but with our options.
  const inner =
    only === "managedidentitycredential" && !process.env.AZURE_FEDERATED_TOKEN_FILE
      ? new identity.ChainedTokenCredential(
          new identity.ManagedIdentityCredential({ ...options, clientId: process.env.AZURE_CLIENT_ID }),
        )
      : new identity.DefaultAzureCredential(options);
  return sharedCredential(retrying(inner, notice, stop));
}

/**
 * The HTTP client every credential sends its token requests with. ManagedIdentityCredential gives its
 * requests an abort signal of its own, not getToken's, and replaces `additionalPolicies` with its retry
 * policy (@azure/identity 4.13.1); but it passes `httpClient` on. So the command's signal and the
 * --debug trace are added here, at the HTTP client itself.
 */
export async function boundHttpClient(notice: CredentialNotice, stop: Stop): Promise<HttpClient> {
  const { createDefaultHttpClient } = await loadPipeline();
  const base = createDefaultHttpClient();
  const send: HttpClient["sendRequest"] = async (request) => {
    const own = request.abortSignal;
    request.abortSignal = own ? AbortSignal.any([own as AbortSignal, notice.signal()]) : notice.signal();
    try {
      if (notice.armEndpoint) checkDestination(request.url, notice.armEndpoint, "a token endpoint");
      return await base.sendRequest(request);
    } catch (err) {
      // The credential wraps what it gets into its own errors (MSAL's network_error): keep ours whole.
      const ours = err instanceof OffMachineRefused ? err : nothingAnswers(request.url, err);
      if (!ours) throw err;
      stop.error = ours;
      throw ours;
    }
  };
  const trace = notice.trace;
  return { sendRequest: trace ? (request) => trace.sendRequest(request, send) : send };
}

/** The credential commands get: one token request per scope at a time, and an early start for ARM's. */
export interface SharedCredential extends TokenCredential {
  /**
   * Starts the token request for `scope` now, while the SDK is still loading; the first getToken for
   * that scope takes its outcome (token or error) instead of sending another request.
   */
  prefetch(scope: string): void;
}

/**
 * Two clients asking at once (assign-role reads the role and the site in parallel) share one request,
 * and a token is reused until 5 minutes before it expires: each SDK client's own cache starts empty.
 */
export function sharedCredential(inner: TokenCredential): SharedCredential {
  const pending = new Map<string, Promise<AccessToken | null>>();
  const held = new Map<string, AccessToken>();
  const request = (key: string, scopes: string | string[], options?: GetTokenOptions) => {
    const p = inner.getToken(scopes, options).then((token) => {
      if (token) held.set(key, token);
      return token;
    });
    pending.set(key, p);
    const forget = () => {
      if (pending.get(key) === p) pending.delete(key);
    };
    p.then(forget, forget);
    return p;
  };
  const primed = new Map<string, Promise<AccessToken | null>>();
  return {
    prefetch(scope) {
      if (primed.has(scope) || pending.has(scope)) return;
      const p = request(scope, scope);
      // Taken by the first getToken; its failure is that call's failure, not an unhandled rejection.
      p.catch(() => undefined);
      primed.set(scope, p);
    },
    getToken(scopes, options) {
      // A claims challenge (CAE) or another tenant asks for a new token of its own.
      if (options?.claims || options?.tenantId) return inner.getToken(scopes, options);
      const key = [scopes].flat().join(" ");
      const early = primed.get(key);
      if (early) {
        primed.delete(key);
        return early;
      }
      const token = held.get(key);
      if (token && token.expiresOnTimestamp - Date.now() > 5 * 60_000) return Promise.resolve(token);
      return pending.get(key) ?? request(key, scopes, options);
    },
  };
}

function retrying(inner: TokenCredential, notice: CredentialNotice, stop: Stop): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      for (let attempt = 1; ; attempt++) {
        try {
          stop.error = undefined;
          return await inner.getToken(scopes, options);
        } catch (err) {
          // Refused before sending, or nothing answers at a loopback endpoint: no retry helps.
          const ours = stop.error;
          stop.error = undefined;
          if (ours) throw ours;
          const wait = backoffMs(attempt);
          if (
            !isTransientTokenError(err) ||
            attempt > TOKEN_RETRIES ||
            options?.abortSignal?.aborted ||
            wait >= notice.remainingMs()
          ) {
            throw err;
          }
          notice.warn(
            `the managed identity endpoint is unavailable (${tokenFailureReason(err)}); retrying in ${wait / 1000}s (attempt ${attempt} of ${TOKEN_RETRIES + 1})`,
          );
          await sleep(wait, undefined, { signal: options?.abortSignal as AbortSignal | undefined });
        }
      }
    },
  };
}
