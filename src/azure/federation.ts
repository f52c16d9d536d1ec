// Federated identity credentials of a user-assigned identity, for GitHub Actions workload identity
// federation (learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust-user-assigned-managed-identity).
// The subjects are those GitHub's OIDC tokens carry (docs.github.com/actions/reference/openid-connect-reference,
// "Example subject claims").
import type { FederatedIdentityCredential } from "@azure/arm-msi";
import { MiauthError, UsageError } from "../errors.js";
import type { ArmClients } from "./clients.js";
import { translateAzureError } from "./errors.js";

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
/** The audience azure/login asks GitHub for, and the one Entra recommends. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

export type GithubTrigger =
  | { branch: string }
  | { environment: string }
  | { pullRequest: true }
  | { tag: string };

/** OWNER/REPO as GitHub spells names: letters, digits, '-', '_', '.'. */
export function parseGithubRepo(value: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(value) || /\/\.\.?$/.test(value)) {
    throw new UsageError(`invalid --github '${value}': use OWNER/REPO`);
  }
  return value;
}

/** A branch, tag or environment name as it goes into a subject: no ':' (the subject's separator), no spaces at the ends. */
function checkPart(flag: string, value: string): string {
  if (value === "" || value.trim() !== value || /[:\s]/.test(value) || value.length > 255) {
    throw new UsageError(`invalid ${flag} '${value}': give the name without spaces or ':'`);
  }
  return value;
}

export function parseTrigger(o: {
  branch?: string;
  environment?: string;
  pullRequest?: boolean;
  tag?: string;
}): GithubTrigger {
  const given = [
    o.branch !== undefined && "--branch",
    o.environment !== undefined && "--environment",
    o.pullRequest && "--pull-request",
    o.tag !== undefined && "--tag",
  ].filter((x): x is string => typeof x === "string");
  if (given.length === 0)
    throw new UsageError("--github needs one of --branch B, --environment E, --pull-request or --tag T");
  if (given.length > 1) throw new UsageError(`conflicting ${given.join(" and ")}: give one trigger`);
  if (o.branch !== undefined)
    return { branch: checkPart("--branch", o.branch.replace(/^refs\/heads\//, "")) };
  if (o.environment !== undefined) return { environment: checkPart("--environment", o.environment) };
  if (o.tag !== undefined) return { tag: checkPart("--tag", o.tag.replace(/^refs\/tags\//, "")) };
  return { pullRequest: true };
}

/** The `sub` claim GitHub puts in a workflow's OIDC token for that trigger. */
export function githubSubject(repo: string, trigger: GithubTrigger): string {
  if ("branch" in trigger) return `repo:${repo}:ref:refs/heads/${trigger.branch}`;
  if ("tag" in trigger) return `repo:${repo}:ref:refs/tags/${trigger.tag}`;
  if ("environment" in trigger) return `repo:${repo}:environment:${trigger.environment}`;
  return `repo:${repo}:pull_request`;
}

/** A credential name from the subject: 3-120 letters, digits, '-' or '_', starting with a letter or digit. */
export function defaultCredentialName(repo: string, trigger: GithubTrigger): string {
  const what =
    "branch" in trigger
      ? `branch-${trigger.branch}`
      : "tag" in trigger
        ? `tag-${trigger.tag}`
        : "environment" in trigger
          ? `env-${trigger.environment}`
          : "pull-request";
  const name = `github-${repo.replace("/", "-")}-${what}`
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/-+/g, "-")
    .slice(0, 120)
    .replace(/-+$/, "");
  return name;
}

export function parseCredentialName(value: string, flag = "--credential-name"): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/.test(value)) {
    throw new UsageError(
      `invalid ${flag} '${value}': use 3-120 letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }
  return value;
}

export interface FederatedCredentialView {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface IdentityRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export interface FederateResult {
  AZURE_CLIENT_ID: string;
  AZURE_TENANT_ID: string;
  AZURE_SUBSCRIPTION_ID: string;
  credential: FederatedCredentialView;
  result: "created" | "unchanged";
}

function view(c: FederatedIdentityCredential, where: string): FederatedCredentialView {
  const { name, issuer, subject, audiences } = c;
  if (
    typeof name !== "string" ||
    typeof issuer !== "string" ||
    typeof subject !== "string" ||
    !Array.isArray(audiences)
  ) {
    throw new MiauthError(`ARM's reply for ${where} has no name, issuer, subject or audiences`);
  }
  return { name, issuer, subject, audiences: [...audiences] };
}

const what = (id: IdentityRef) =>
  `user-assigned identity '${id.name}' in resource group '${id.resourceGroup}'`;

/** The identity's federated identity credentials. */
export async function listFederatedCredentials(
  arm: ArmClients,
  id: IdentityRef,
  abortSignal?: AbortSignal,
): Promise<FederatedCredentialView[]> {
  const msi = await arm.msi(id.subscriptionId);
  const out: FederatedCredentialView[] = [];
  try {
    for await (const c of msi.federatedIdentityCredentials.list(id.resourceGroup, id.name, { abortSignal })) {
      out.push(view(c, `a federated credential of ${what(id)}`));
    }
  } catch (err) {
    throw translateAzureError(err, { what: what(id) });
  }
  return out;
}

/**
 * Adds the credential unless one with this issuer, subject and audience is there already (then nothing is
 * written). A credential of that name with other values is an error naming it: it is someone's trust.
 */
export async function federate(
  arm: ArmClients,
  id: IdentityRef,
  want: FederatedCredentialView,
  abortSignal?: AbortSignal,
): Promise<FederateResult> {
  const msi = await arm.msi(id.subscriptionId);
  let identity: Awaited<ReturnType<typeof msi.userAssignedIdentities.get>>;
  try {
    identity = await msi.userAssignedIdentities.get(id.resourceGroup, id.name, { abortSignal });
  } catch (err) {
    throw translateAzureError(err, { what: what(id) });
  }
  const { clientId, tenantId } = identity;
  if (!clientId || !tenantId)
    throw new MiauthError(`ARM's reply for ${what(id)} has no clientId or tenantId`);
  const values = (credential: FederatedCredentialView): FederateResult => ({
    AZURE_CLIENT_ID: clientId,
    AZURE_TENANT_ID: tenantId,
    AZURE_SUBSCRIPTION_ID: id.subscriptionId,
    credential,
    result: "unchanged",
  });
  const existing = await listFederatedCredentials(arm, id, abortSignal);
  const same = existing.find(
    (c) =>
      c.issuer === want.issuer &&
      c.subject === want.subject &&
      c.audiences.length === 1 &&
      c.audiences[0] === want.audiences[0],
  );
  if (same) return values(same);
  const named = existing.find((c) => c.name.toLowerCase() === want.name.toLowerCase());
  if (named) {
    throw new UsageError(
      `the federated credential '${named.name}' of ${what(id)} already trusts '${named.subject}' (issuer ${named.issuer}), not '${want.subject}'`,
      { hint: "choose another --credential-name, or remove that one first with --remove" },
    );
  }
  const twin = existing.find((c) => c.issuer === want.issuer && c.subject === want.subject);
  if (twin) {
    throw new UsageError(
      `the federated credential '${twin.name}' of ${what(id)} already has issuer ${twin.issuer} and subject '${twin.subject}' (audiences ${twin.audiences.join(", ")}); an issuer and subject may appear once`,
      { hint: `remove it first: --remove ${twin.name}` },
    );
  }
  let created: FederatedIdentityCredential;
  try {
    created = await msi.federatedIdentityCredentials.createOrUpdate(
      id.resourceGroup,
      id.name,
      want.name,
      { issuer: want.issuer, subject: want.subject, audiences: want.audiences },
      { abortSignal },
    );
  } catch (err) {
    throw translateAzureError(err, { what: what(id) });
  }
  const got = view(created, `the federated credential '${want.name}'`);
  if (got.issuer !== want.issuer || got.subject !== want.subject) {
    throw new MiauthError(`ARM answered the write of '${want.name}' with another issuer or subject`);
  }
  return { ...values(got), result: "created" };
}

export interface RemoveResult {
  name: string;
  result: "deleted" | "absent";
}

/** Removes one credential by name; a name that is not there is said, and nothing is sent. */
export async function removeFederatedCredential(
  arm: ArmClients,
  id: IdentityRef,
  name: string,
  abortSignal?: AbortSignal,
): Promise<RemoveResult> {
  const existing = await listFederatedCredentials(arm, id, abortSignal);
  const found = existing.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (!found) return { name, result: "absent" };
  const msi = await arm.msi(id.subscriptionId);
  try {
    await msi.federatedIdentityCredentials.delete(id.resourceGroup, id.name, found.name, { abortSignal });
  } catch (err) {
    throw translateAzureError(err, { what: what(id) });
  }
  return { name: found.name, result: "deleted" };
}

/** What a workflow needs: log in with the three values, then run verify with a JUnit report. */
export function workflowSnippet(r: FederateResult, subject: string, verifyArgs: string): string {
  const trigger = /:pull_request$/.test(subject)
    ? "on: pull_request"
    : /:ref:refs\/tags\//.test(subject)
      ? `on:\n  push:\n    tags: ['${subject.replace(/^.*:ref:refs\/tags\//, "")}']`
      : /:ref:refs\/heads\//.test(subject)
        ? `on:\n  push:\n    branches: ['${subject.replace(/^.*:ref:refs\/heads\//, "")}']`
        : "on: workflow_dispatch";
  const environment = /:environment:/.test(subject)
    ? `\n    environment: ${subject.replace(/^.*:environment:/, "")}`
    : "";
  return `${trigger}
permissions:
  id-token: write
  contents: read
jobs:
  verify:
    runs-on: ubuntu-latest${environment}
    steps:
      - uses: azure/login@v2
        with:
          client-id: ${r.AZURE_CLIENT_ID}
          tenant-id: ${r.AZURE_TENANT_ID}
          subscription-id: ${r.AZURE_SUBSCRIPTION_ID}
      - run: npx miauth verify ${verifyArgs} --junit miauth-verify.xml
`;
}
