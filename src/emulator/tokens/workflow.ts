// What a GitHub Actions job has after its OIDC step, for `emulator env --as-github-workflow`: a GitHub
// token for the job's subject in a file (AZURE_FEDERATED_TOKEN_FILE, as DefaultAzureCredential's
// WorkloadIdentityCredential reads it), the identity's client ID, the tenant, the authority host (the
// emulator's Entra endpoint), and GitHub's own GITHUB_ACTIONS, GITHUB_REPOSITORY, GITHUB_REF and, as in a
// job with `permissions: id-token: write`, ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { State, Uami } from "../state.js";
import { EXCHANGE_AUDIENCE, GITHUB_ISSUER, type GithubIssuer, type Workflow } from "./github.js";

export interface WorkflowRequest extends Workflow {
  clientId?: string;
}

/** Variables a GitHub runner or azure/login sets, which `--as-github-workflow` prints or unsets. */
export const WORKFLOW_VARIABLES = [
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_AUTHORITY_HOST",
  "GITHUB_ACTIONS",
  "GITHUB_REPOSITORY",
  "GITHUB_REF",
  "ACTIONS_ID_TOKEN_REQUEST_URL",
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
] as const;

/** The identity the job signs in as: the one --client-id names, else the only one trusting the repository. */
function pickIdentity(state: State, w: WorkflowRequest): Uami | string {
  const all = Object.values(state.userAssignedIdentities);
  if (w.clientId !== undefined) {
    const found = all.find((u) => u.clientId.toLowerCase() === w.clientId?.toLowerCase());
    return found ?? `the emulator holds no identity whose client ID is '${w.clientId}'`;
  }
  const prefix = `repo:${w.repository}:`;
  const trusting = all.filter((u) =>
    (state.federatedCredentials[u.id.toLowerCase()] ?? []).some(
      (c) => c.issuer === GITHUB_ISSUER && c.subject.startsWith(prefix),
    ),
  );
  const [only, ...more] = trusting;
  if (!only)
    return `no user-assigned identity in the emulator trusts workflows of ${w.repository}: federate one first (miauth identity federate IDENTITY --resource-group GROUP --github ${w.repository} --branch main), or give --client-id`;
  if (more.length > 0)
    return `several identities trust workflows of ${w.repository} (${trusting.map((u) => u.name).join(", ")}): give --client-id`;
  return only;
}

export async function workflowEnv(
  state: State,
  github: GithubIssuer,
  o: { dir: string; authorityHost: string; lifetimeSeconds: number },
  w: WorkflowRequest,
): Promise<Record<string, string> | string> {
  const identity = pickIdentity(state, w);
  if (typeof identity === "string") return identity;
  // azure/login asks for this audience; the file holds what it got.
  const { token } = await github.issue(w, o.lifetimeSeconds, EXCHANGE_AUDIENCE);
  // A job with `permissions: id-token: write` may ask for more (azure/login does, through these two).
  const job = github.addJob(w);
  const folder = join(o.dir, "github");
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = join(folder, `oidc-token-${randomBytes(6).toString("hex")}.jwt`);
  writeFileSync(file, token, { mode: 0o600 });
  return {
    AZURE_FEDERATED_TOKEN_FILE: file,
    AZURE_CLIENT_ID: identity.clientId,
    AZURE_TENANT_ID: state.tenantId,
    AZURE_AUTHORITY_HOST: o.authorityHost,
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: w.repository,
    GITHUB_REF: w.ref,
    ACTIONS_ID_TOKEN_REQUEST_URL: `${o.authorityHost}/github/idtoken?api-version=2.0&job=${job.id}`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: job.secret,
  };
}
