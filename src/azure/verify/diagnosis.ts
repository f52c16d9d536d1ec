// Why a verify step failed and what fixes it, from the Azure error code, and the rule that turns steps
// into a result and an exit code (pure).
import { type HostRef, hostFlags } from "../hosts.js";
import { BLOB_DATA_ROLES } from "../roles.js";
import type { Access, ReportStep, Step, VerifyReport } from "./types.js";

export interface Diagnosis {
  /** What the failure means, in one sentence. */
  cause: string;
  /** What to do about it. */
  fix: string;
  /** The exit code this kind of failure maps to. */
  exitCode: 1 | 3 | 4 | 5;
  /** Whether waiting may help (RBAC propagation). */
  retryable: boolean;
}

export interface DiagnosisContext {
  account: string;
  /** The container the steps used, when there is one. */
  container?: string | null;
  access: string;
  /** A miauth command that would grant the missing role, when we can write one. */
  assignCommand?: string;
  /** The app's host (web app, function app or VM), when the environment or IMDS names it. */
  host?: HostRef;
}

function hostText(host: HostRef | undefined): string {
  if (!host) return "this resource";
  const what = { webapp: "web app", functionapp: "function app", vm: "VM", containerapp: "container app" }[
    host.kind
  ];
  return `${host.slot === undefined ? "" : `slot '${host.slot}' of `}the ${what} '${host.name}'`;
}

/**
 * A miauth command for the app's host, when the host names its resource group; else the same words
 * with the group left for the user to add (never a placeholder to paste).
 */
function hostCommand(host: HostRef, before: string, after: string, verb = "enable"): string {
  const lead = before ? `${before} ` : "";
  const tail = after ? ` ${after}` : "";
  if (host.resourceGroup) return `${lead}miauth ${verb} ${hostFlags(host)}${tail}`;
  return `${lead}miauth ${verb} --${host.kind} ${host.name}${tail}, with -g set to its resource group`;
}

export function roleFor(access: string): string {
  return access === "read" ? BLOB_DATA_ROLES.reader : BLOB_DATA_ROLES.contributor;
}

export function diagnose(code: string | undefined, message: string, ctx: DiagnosisContext): Diagnosis {
  const role = roleFor(ctx.access);
  switch (code) {
    case "AuthorizationPermissionMismatch":
      return {
        cause: `the identity has no Azure RBAC data role for this on '${ctx.account}' (Owner, Contributor and Reader grant no blob data access)`,
        fix:
          ctx.assignCommand ??
          `assign '${role}' to the identity on the storage account or its resource group`,
        exitCode: 5,
        retryable: true,
      };
    case "AuthorizationFailure":
      return {
        cause: `the storage account '${ctx.account}' refuses this caller's network: its firewall, public network access or private endpoint settings block it`,
        fix: "allow the app's virtual network or outbound IPs under the account's Networking settings, or reach it through its private endpoint",
        exitCode: 5,
        retryable: false,
      };
    case "InvalidAuthenticationInfo":
    case "NoAuthenticationInformation":
    case "InvalidAuthenticationTokenTenant":
      return {
        cause: "the storage account rejected the token: it is for another tenant or audience, or expired",
        fix: "make sure the identity is in the storage account's tenant (AZURE_TENANT_ID) and the token is requested for https://storage.azure.com",
        exitCode: 4,
        retryable: false,
      };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return {
        cause: `the blob endpoint's host name does not resolve: is '${ctx.account}' the right storage account name?`,
        fix: "check --account / AZURE_STORAGE_ACCOUNT_NAME (or --blob-endpoint for private or sovereign endpoints)",
        exitCode: 1,
        retryable: false,
      };
    case "ContainerNotFound":
      // Not found, as anything else that does not exist (3); the message lists the containers seen.
      return {
        cause: message || "the container does not exist",
        fix: ctx.container
          ? `pass --container with an existing container, or create it: az storage container create --account-name ${ctx.account} --name ${ctx.container} --auth-mode login`
          : "check --container (or create the container)",
        exitCode: 3,
        retryable: false,
      };
    case "NoContainer":
      return {
        cause: `there is no container in '${ctx.account}' the probe can use (containers whose names start with '$' are never probed), so nothing was tested`,
        fix: `pass --container with a container the identity may use, or create one, e.g.: az storage container create --account-name ${ctx.account} --name data --auth-mode login`,
        exitCode: 1,
        retryable: false,
      };
    case "InvalidReply":
      return {
        cause: `the blob endpoint's reply is not what Blob Storage sends (${message}): a proxy, captive portal or wrong --blob-endpoint may be in the way`,
        fix: "check --blob-endpoint / AZURE_STORAGE_BLOB_ENDPOINT and any proxy between here and the storage account",
        exitCode: 1,
        retryable: false,
      };
    case "NotTested":
      return {
        cause: message,
        fix: "pass --container with a container the identity may use, then run verify again",
        exitCode: 1,
        retryable: false,
      };
    case "TokenEndpointUnavailable":
      return {
        cause: message,
        fix: "this is usually brief: run verify again in a minute",
        exitCode: 1,
        retryable: false,
      };
    case "ProbeGone":
      return {
        cause: "something else removed the probe blob, so deleting blobs was not tried",
        fix: "check for a lifecycle policy or another process deleting blobs in the container, then run verify again",
        exitCode: 1,
        retryable: false,
      };
    case "IdentityNotEnabled":
      // As assign-role and show say for the same resource: not found (3), not an auth failure.
      return {
        cause:
          "the resource has no system-assigned managed identity enabled, so there is no principal to check",
        fix:
          ctx.assignCommand ??
          "enable it with miauth enable, naming the resource as this command did (--webapp, --functionapp, --vm or --ids)",
        exitCode: 3,
        retryable: false,
      };
    case "NoManagedIdentity":
      return {
        cause: `${hostText(ctx.host)} has no managed identity, so there is no token to get (${message})`,
        fix: ctx.host
          ? hostCommand(ctx.host, "enable one:", "")
          : "enable a managed identity on the resource this runs on (miauth enable with its --webapp, --functionapp or --vm and -g)",
        exitCode: 4,
        retryable: false,
      };
    case "NoDefaultManagedIdentity":
      return {
        cause: `${hostText(ctx.host)} has only user-assigned identities, and the token request named none of them (${message})`,
        fix: `set AZURE_CLIENT_ID to the client ID of one of its user-assigned identities${ctx.host ? ` (${hostCommand(ctx.host, "", "lists them", "show")})` : ""}`,
        exitCode: 4,
        retryable: false,
      };
    case "ManagedIdentityNotOnHost":
      return {
        cause: `no identity of ${hostText(ctx.host)} has the client ID in AZURE_CLIENT_ID (${message})`,
        fix: ctx.host
          ? `set AZURE_CLIENT_ID to the client ID of one of its identities (${hostCommand(ctx.host, "", "lists them", "show")}), or attach that identity to ${hostText(ctx.host)} (miauth enable with --user-assigned)`
          : "set AZURE_CLIENT_ID to the client ID of a user-assigned identity attached to this resource",
        exitCode: 4,
        retryable: false,
      };
    case "FederatedTokenRefused":
      return {
        cause: `Entra refused the workflow's federated token: no federated credential of the identity matches it (${message})`,
        fix: "run miauth doctor in the job: it names the subject GitHub sends and the subjects the identity accepts; then add a federated credential for that subject with miauth identity federate (see miauth identity federate --help)",
        exitCode: 4,
        retryable: false,
      };
    case "CredentialUnavailable":
      return {
        cause: "no credential of DefaultAzureCredential's chain could get a token",
        fix: message,
        exitCode: 4,
        retryable: false,
      };
    default:
      return { cause: message, fix: "run again with --debug for details", exitCode: 1, retryable: false };
  }
}

/**
 * The report's result, from the steps the access level needs: it passes only when each of them ran
 * and passed and nothing failed. A skipped or missing required step is a failure, never a pass.
 */
export function resultOf(steps: Step[], required: string[]): "pass" | "fail" {
  if (steps.some((s) => s.status === "fail")) return "fail";
  return required.every((n) => steps.some((s) => s.name === n && s.status === "pass")) ? "pass" : "fail";
}

/**
 * The steps as reported: when required steps did not pass yet none failed, a failed step says which
 * did not run, so the JSON, the summary, JUnit and annotations all show why the result is a failure.
 */
export function withRequired(steps: Step[], required: string[]): Step[] {
  const missing = required.filter((n) => !steps.some((s) => s.name === n && s.status === "pass"));
  if (missing.length === 0 || steps.some((s) => s.status === "fail")) return steps;
  return [
    ...steps,
    {
      name: "required-steps",
      status: "fail",
      ms: 0,
      code: "NotTested",
      message: `the access level needs steps that did not run: ${missing.join(", ")}`,
    },
  ];
}

export interface Diagnosed {
  steps: ReportStep[];
  first: Diagnosis | null;
}

export function diagnoseSteps(
  steps: Step[],
  ctx: { account: string; access: Access; assignCommand?: string; host?: HostRef; container?: string | null },
): Diagnosed {
  let first: Diagnosis | null = null;
  const out = steps.map((s) => {
    if (s.status !== "fail" && s.status !== "warn") return { ...s, cause: null, fix: null };
    const d = diagnose(s.code ?? undefined, s.message ?? "", ctx);
    if (s.status === "fail") first ??= d;
    return { ...s, cause: d.cause, fix: d.fix };
  });
  return { steps: out, first };
}

/**
 * The report of one attempt, from its raw steps: required steps that did not run become a failure, each
 * failure is diagnosed, and the result comes from the required steps, never from the absence of failures.
 */
export function buildReport(
  base: Omit<VerifyReport, "result" | "attempts" | "elapsedMs" | "waitExpired" | "steps" | "fix">,
  raw: Step[],
  required: string[],
  /** A miauth command that would grant the missing role (or enable the identity), when we can write one. */
  assignCommand: string | undefined,
  /** The app's host, when its identity is missing (names it in the fix). */
  host?: HostRef,
): VerifyReport {
  const { steps, first } = diagnoseSteps(withRequired(raw, required), {
    account: base.account,
    access: base.access,
    assignCommand,
    host,
    container: base.container,
  });
  return {
    ...base,
    steps,
    fix: first ? (steps.find((s) => s.status === "fail")?.fix ?? null) : null,
    result: resultOf(steps, required),
    attempts: 1,
    elapsedMs: 0,
    waitExpired: false,
  };
}

/** The diagnosis of the report's first failed step: its exit code and whether waiting may help. */
export function firstFailure(report: VerifyReport): Diagnosis | null {
  const failed = report.steps.find((s) => s.status === "fail");
  return failed
    ? diagnose(failed.code ?? undefined, failed.message ?? "", {
        account: report.account,
        access: report.access,
      })
    : null;
}

/** 0 pass, 6 when --wait ran out on a denial, else the first failure's code (5 denied, 4 no credential, 3 no identity enabled or no such container, 1 other). */
export function exitCodeOf(
  report: VerifyReport,
  first: Diagnosis | null = firstFailure(report),
): 0 | 1 | 3 | 4 | 5 | 6 {
  if (report.result === "pass") return 0;
  if (report.waitExpired && first?.retryable) return 6;
  return first?.exitCode ?? 1;
}
