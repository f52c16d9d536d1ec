// DefaultAzureCredential's chain, one credential at a time, the way @azure/identity 4.13.1 builds and
// walks it (credentials/defaultAzureCredential.js, defaultAzureCredentialFunctions.js and
// chainedTokenCredential.js): the same order, the same narrowing by AZURE_TOKEN_CREDENTIALS, the same
// options from the environment, and the same rule for going on — only CredentialUnavailableError and
// AuthenticationRequiredError pass to the next credential; any other error ends the chain.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { oneLine } from "../../output/io.js";
import { CHAIN } from "../credential.js";

export { CHAIN };

export type CredentialName = (typeof CHAIN)[number];

const PROD: CredentialName[] = [
  "EnvironmentCredential",
  "WorkloadIdentityCredential",
  "ManagedIdentityCredential",
];
const DEV: CredentialName[] = [
  "VisualStudioCodeCredential",
  "AzureCliCredential",
  "AzurePowerShellCredential",
  "AzureDeveloperCliCredential",
];

export interface ChainChoice {
  names: CredentialName[];
  /** How the chain was chosen, as the report says it. */
  source: string;
}

/** The credentials DefaultAzureCredential tries in this environment (AZURE_TOKEN_CREDENTIALS is checked before). */
export function chainFor(env: NodeJS.ProcessEnv): ChainChoice {
  const value = env.AZURE_TOKEN_CREDENTIALS?.trim() ?? "";
  const lower = value.toLowerCase();
  if (lower === "") return { names: [...CHAIN], source: "the full DefaultAzureCredential chain" };
  const source = `AZURE_TOKEN_CREDENTIALS=${value}`;
  if (lower === "prod") return { names: PROD, source };
  if (lower === "dev") return { names: DEV, source };
  const one = CHAIN.find((n) => n.toLowerCase() === lower);
  return { names: one ? [one] : [...CHAIN], source };
}

export type AttemptStatus = "available" | "unavailable" | "failed" | "not-tried";

export interface Attempt {
  name: CredentialName;
  status: AttemptStatus;
  /** One line: why it is not available, how it failed, or why it was not tried; null when it works. */
  reason: string | null;
  /** Milliseconds the attempt took; null when not tried. */
  ms: number | null;
}

export interface ChainOptions {
  authorityHost: string;
  /** A loopback authority (the emulator's): no instance discovery at login.microsoftonline.com. */
  disableInstanceDiscovery?: boolean;
  httpClient: HttpClient;
  /** Only ManagedIdentityCredential asked alone skips the SDK's IMDS probe request. */
  alone: boolean;
}

type IdentityModule = typeof import("@azure/identity");

/** Builds one credential with the options DefaultAzureCredential would give it in `env`. */
export function buildCredential(
  identity: IdentityModule,
  name: CredentialName,
  env: NodeJS.ProcessEnv,
  o: ChainOptions,
): TokenCredential {
  // One attempt each: the report says what happened, it does not wait out the SDK's retries.
  const options = {
    authorityHost: o.authorityHost,
    ...(o.disableInstanceDiscovery && { disableInstanceDiscovery: true }),
    httpClient: o.httpClient,
    retryOptions: { maxRetries: 0 },
  };
  const clientId = env.AZURE_CLIENT_ID || undefined;
  const tenantId = env.AZURE_TENANT_ID || undefined;
  const tokenFile = env.AZURE_FEDERATED_TOKEN_FILE || undefined;
  switch (name) {
    case "EnvironmentCredential":
      return new identity.EnvironmentCredential(options);
    case "WorkloadIdentityCredential":
      return new identity.WorkloadIdentityCredential(
        tokenFile && clientId
          ? { ...options, tenantId, clientId, tokenFilePath: tokenFile }
          : { ...options, tenantId },
      );
    case "ManagedIdentityCredential": {
      // sendProbeRequest: an option the SDK passes inside DefaultAzureCredential (not in its types).
      const mi = { ...options, sendProbeRequest: !o.alone };
      // With a federated token file, the SDK passes the tenant too (an untyped option, as above).
      const federated = { ...mi, tenantId };
      if (tokenFile && clientId) return new identity.ManagedIdentityCredential(clientId, federated);
      return new identity.ManagedIdentityCredential(clientId ? { ...mi, clientId } : mi);
    }
    case "VisualStudioCodeCredential":
      return new identity.VisualStudioCodeCredential(options);
    case "AzureCliCredential":
      return new identity.AzureCliCredential(options);
    case "AzurePowerShellCredential":
      return new identity.AzurePowerShellCredential(options);
    case "AzureDeveloperCliCredential":
      return new identity.AzureDeveloperCliCredential(options);
  }
}

export interface ChainResult {
  attempts: Attempt[];
  winner: CredentialName | null;
  /** The winner's token: read for its claims only, never printed. */
  token: AccessToken | null;
  /** What each failed or unavailable credential threw (doctor reads Entra's refusal of a federated token from it). */
  errors: Partial<Record<CredentialName, unknown>>;
}

const PASSES_ON = new Set(["CredentialUnavailableError", "AuthenticationRequiredError"]);

/** The reason in one line: the credential's first line, without MSAL's trailing "see aka.ms/…" noise. */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = oneLine(text.split("\n")[0] ?? text).trim();
  return first.length > 240 ? `${first.slice(0, 237)}...` : first;
}

/**
 * Walks the chain for `scope` as ChainedTokenCredential does, timing each credential. `ours` gives the
 * error miauth's own HTTP client raised for the attempt (a refused off-machine request, a loopback
 * endpoint nothing answers at), which the SDK wraps into a vaguer one: that is the reason reported.
 */
export async function walkChain(
  names: CredentialName[],
  build: (name: CredentialName) => TokenCredential,
  scope: string,
  signal: AbortSignal,
  ours: () => Error | undefined = () => undefined,
): Promise<ChainResult> {
  const attempts: Attempt[] = [];
  let winner: CredentialName | null = null;
  let token: AccessToken | null = null;
  let stopped: string | null = null;
  const errors: Partial<Record<CredentialName, unknown>> = {};
  for (const name of names) {
    if (winner !== null || stopped !== null) {
      attempts.push({
        name,
        status: "not-tried",
        reason: winner !== null ? `${winner} works first` : `the chain stops at ${stopped}'s failure`,
        ms: null,
      });
      continue;
    }
    const t0 = performance.now();
    let credential: TokenCredential;
    try {
      credential = build(name);
    } catch (err) {
      // A constructor that throws is unavailable in the SDK's chain too (UnavailableDefaultCredential).
      attempts.push({
        name,
        status: "unavailable",
        reason: reasonOf(err),
        ms: Math.round(performance.now() - t0),
      });
      continue;
    }
    try {
      const got = await credential.getToken(scope, { abortSignal: signal });
      if (!got) throw new Error("the credential returned no token");
      token = got;
      winner = name;
      attempts.push({ name, status: "available", reason: null, ms: Math.round(performance.now() - t0) });
    } catch (err) {
      if (signal.aborted) throw err;
      const ms = Math.round(performance.now() - t0);
      const passes = err instanceof Error && PASSES_ON.has(err.name);
      errors[name] = err;
      attempts.push({ name, status: passes ? "unavailable" : "failed", reason: reasonOf(ours() ?? err), ms });
      if (!passes) stopped = name;
    }
  }
  return { attempts, winner, token, errors };
}
