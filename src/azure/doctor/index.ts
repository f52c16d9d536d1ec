// `miauth doctor`: the credential situation where it runs. Which host this is, DefaultAzureCredential's
// chain credential by credential, who the winner is (from its token's claims; the token never leaves
// this process's memory), the subscription miauth would use and why, and whether ARM answers.
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { AuthError, NotFoundError, PermissionError, UnexpectedReplyError } from "../../errors.js";
import type { ArmClients } from "../clients.js";
import type { Cloud } from "../clouds.js";
import { authorityOptions, NoManagedIdentityError, type Stop } from "../credential.js";
import { appServiceWithoutIdentity, vmHost } from "../hosts.js";
import { listSubscriptions, pickSubscription, subscriptionFromLocal } from "../subscription.js";
import { decodeClaims } from "../verify/token-identity.js";
import {
  type Attempt,
  buildCredential,
  type CredentialName,
  chainFor,
  reasonOf,
  walkChain,
} from "./chain.js";
import { type FederationReport, federationReport } from "./federation.js";
import { detectHost, type HostReport } from "./host.js";

export interface DoctorInput {
  env: NodeJS.ProcessEnv;
  cloud: Cloud;
  armEndpoint: string;
  /** --subscription, when given. */
  subscription?: string;
  signal: AbortSignal;
  /** The HTTP client token requests go through (the loopback guard, Ctrl-C, --debug's trace). */
  httpClient: HttpClient;
  /** The error that HTTP client raised last (refused, nothing answers), cleared before each credential. */
  stop: Stop;
  /** The ARM clients miauth's other commands would use (built only when a credential works). */
  arm: () => Promise<ArmClients>;
}

export interface WhoReport {
  tenantId: string | null;
  objectId: string | null;
  appId: string | null;
  userName: string | null;
  /** User, ServicePrincipal or ManagedIdentity (a service principal whose token names its resource). */
  type: "User" | "ServicePrincipal" | "ManagedIdentity";
  /** A managed identity's resource (the token's xms_mirid). */
  resourceId: string | null;
}

export interface DoctorReport {
  host: HostReport;
  chain: { source: string; credentials: Attempt[] };
  winner: CredentialName | null;
  identity: WhoReport | null;
  /** With AZURE_FEDERATED_TOKEN_FILE: the identity and the subject WorkloadIdentityCredential presents. */
  federation: FederationReport | null;
  subscription: { id: string; name: string | null; source: string } | null;
  /** Null when not checked (no credential works). */
  arm: {
    endpoint: string;
    answers: boolean;
    ms: number;
    subscriptions: number | null;
    error: string | null;
  } | null;
  suggestions: string[];
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

export function whoFromClaims(claims: Record<string, unknown>): WhoReport {
  const userName = str(claims.upn) ?? str(claims.unique_name) ?? str(claims.preferred_username);
  const resourceId = str(claims.xms_mirid);
  const type = resourceId
    ? "ManagedIdentity"
    : claims.idtyp === "user" || userName
      ? "User"
      : "ServicePrincipal";
  return {
    tenantId: str(claims.tid),
    objectId: str(claims.oid),
    appId: str(claims.appid) ?? str(claims.azp),
    userName: type === "User" ? userName : null,
    type,
    resourceId,
  };
}

/** Time spent on credentials tried before the winner worth a suggestion (ms). */
const SLOW_BEFORE_WINNER_MS = 1000;

export function suggestionsFor(report: Omit<DoctorReport, "suggestions">, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const tried = report.chain.credentials.filter((c) => c.status !== "not-tried");
  if (report.winner) {
    const before = tried.filter((c) => c.name !== report.winner);
    const ms = before.reduce((sum, c) => sum + (c.ms ?? 0), 0);
    if (before.length > 0 && ms >= SLOW_BEFORE_WINNER_MS)
      out.push(
        `set AZURE_TOKEN_CREDENTIALS=${report.winner}: DefaultAzureCredential spends ${ms} ms on ${before.map((c) => c.name).join(", ")} before it`,
      );
    return out;
  }
  const refused = report.federation?.refused ? report.federation : null;
  if (refused) {
    out.push(
      `no federated credential of the identity (client ID ${refused.clientId ?? "unset"}) accepts subject '${refused.subject ?? "unknown"}': add one with miauth identity federate NAME -g RG --github OWNER/REPO and the job's --branch, --environment, --pull-request or --tag`,
    );
    return out;
  }
  const failed = tried.find((c) => c.status === "failed");
  if (failed) {
    out.push(
      `${failed.name} fails and ends DefaultAzureCredential's chain: fix it, or set AZURE_TOKEN_CREDENTIALS to the credential you mean (e.g. AzureCliCredential)`,
    );
    return out;
  }
  const host = report.host;
  const onMachine = host.kind === "machine";
  if ((host.kind === "webapp" || host.kind === "functionapp") && !host.identityEndpoint) {
    out.push(
      `turn on the app's managed identity: miauth enable --${host.kind} ${host.name} -g ${host.resourceGroup ?? "RESOURCE_GROUP"}`,
    );
  } else if (host.kind === "github-actions" && !host.oidc) {
    out.push(
      "give the job `permissions: id-token: write` and sign in with azure/login (OIDC), then run miauth",
    );
  } else {
    out.push(
      "sign in with `az login` or `azd auth login`; or rehearse against a local Azure: miauth emulator start",
    );
  }
  if (onMachine && env.AZURE_TOKEN_CREDENTIALS?.trim())
    out.push(
      `AZURE_TOKEN_CREDENTIALS=${env.AZURE_TOKEN_CREDENTIALS.trim()} limits the chain: unset it to try every credential`,
    );
  return out;
}

/** A credential that is not available here, for the reason given (as the SDK's own would say it). */
function unavailable(message: string): TokenCredential {
  return {
    getToken: () => Promise.reject(Object.assign(new Error(message), { name: "CredentialUnavailableError" })),
  };
}

export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const { env, signal } = input;
  let host = detectHost(env);
  const chain = chainFor(env);
  const identity = await import("@azure/identity");
  const options = {
    ...authorityOptions(input.cloud, env),
    httpClient: input.httpClient,
    alone: chain.names.length === 1,
  };
  const app = appServiceWithoutIdentity(env);
  const walked = await walkChain(
    chain.names,
    (name) => {
      input.stop.error = undefined;
      // As every command does (credential.ts): on App Service without an identity, IMDS is not tried.
      if (name === "ManagedIdentityCredential" && app)
        return unavailable(new NoManagedIdentityError(app).message);
      return buildCredential(identity, name, env, options);
    },
    input.cloud.armScope,
    signal,
    () => input.stop.error,
  );
  const who = walked.token ? whoFromClaims(decodeClaims(walked.token.token)) : null;
  // A managed identity that IMDS served, on a machine no variable names: a VM, which IMDS can name.
  if (
    walked.winner === "ManagedIdentityCredential" &&
    host.kind === "machine" &&
    !/^(IDENTITY|MSI)_ENDPOINT$/.test(host.identityEndpoint?.variable ?? "")
  ) {
    const vm = await vmHost(env, signal);
    if (vm)
      host = {
        ...host,
        kind: "vm",
        name: vm.name,
        resourceGroup: vm.resourceGroup,
        evidence: ["IMDS /metadata/instance"],
      };
  }

  let subscription: DoctorReport["subscription"] = null;
  let arm: DoctorReport["arm"] = null;
  let local: Awaited<ReturnType<typeof subscriptionFromLocal>>;
  try {
    local = await subscriptionFromLocal(input.subscription, env, input.cloud.name);
  } catch (err) {
    local = undefined;
    arm = { endpoint: input.armEndpoint, answers: false, ms: 0, subscriptions: null, error: reasonOf(err) };
  }
  if (local && "id" in local) subscription = { id: local.id, name: null, source: local.source };
  if (walked.winner && arm === null) {
    const t0 = performance.now();
    try {
      const subs = await listSubscriptions(await input.arm(), signal);
      arm = {
        endpoint: input.armEndpoint,
        answers: true,
        ms: Math.round(performance.now() - t0),
        subscriptions: subs.length,
        error: null,
      };
      if (subscription) subscription.name = subs.find((s) => s.id === subscription?.id)?.name ?? null;
      else {
        try {
          const pick = pickSubscription(subs, local && "name" in local ? local.name : undefined);
          subscription = {
            id: pick.id,
            name: subs.find((s) => s.id === pick.id)?.name ?? null,
            source: pick.source,
          };
        } catch (err) {
          arm.error = reasonOf(err);
        }
      }
    } catch (err) {
      if (signal.aborted) throw err;
      // An error reply is an answer; a refused or unanswered connection is not.
      const answered = [AuthError, PermissionError, NotFoundError, UnexpectedReplyError].some(
        (c) => err instanceof c,
      );
      arm = {
        endpoint: input.armEndpoint,
        answers: answered,
        ms: Math.round(performance.now() - t0),
        subscriptions: null,
        error: reasonOf(err),
      };
    }
  }
  const federation = await federationReport({
    env,
    attempt: walked.attempts.find((a) => a.name === "WorkloadIdentityCredential"),
    error: walked.errors.WorkloadIdentityCredential,
    winnerClaims:
      walked.winner === "WorkloadIdentityCredential" && walked.token
        ? decodeClaims(walked.token.token)
        : null,
    subscriptionId: () => subscription?.id,
    arm: input.arm,
    signal,
  });
  const report = {
    host,
    chain: { source: chain.source, credentials: walked.attempts },
    winner: walked.winner,
    identity: who,
    federation,
    subscription,
    arm,
  };
  return { ...report, suggestions: suggestionsFor(report, env) };
}
