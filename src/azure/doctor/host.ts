// Where doctor runs, from the variables each host sets (never their secret values): an App Service or
// Functions app, a container app, a GitHub Actions job, a Kubernetes pod with workload identity, or a
// machine that none of them claims (a developer's, or a VM: only IMDS can say, see vmHost).
import { appServiceHost } from "../hosts.js";

export type HostKind =
  | "webapp"
  | "functionapp"
  | "containerapp"
  | "github-actions"
  | "kubernetes"
  | "vm"
  | "machine";

export interface HostReport {
  kind: HostKind;
  /** The app, job or VM; null when the host does not say. */
  name: string | null;
  resourceGroup: string | null;
  /** The variables that told (names only). */
  evidence: string[];
  /** The managed identity endpoint this process would ask, and the variable that points at it. */
  identityEndpoint: { variable: string; url: string } | null;
  /** GitHub Actions: whether the job may request an OIDC token (permissions: id-token: write). */
  oidc?: boolean;
}

const set = (env: NodeJS.ProcessEnv, k: string) => (env[k] ?? "").trim() !== "";

/** The URL without credentials, query or fragment: what may be printed of an endpoint. */
export function printableUrl(value: string): string {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(not a URL)";
  }
}

function identityEndpoint(env: NodeJS.ProcessEnv): HostReport["identityEndpoint"] {
  // The variables @azure/identity's managed identity sources read, in the order MSAL checks them.
  for (const variable of ["IDENTITY_ENDPOINT", "MSI_ENDPOINT"]) {
    const v = env[variable]?.trim();
    if (v) return { variable, url: printableUrl(v) };
  }
  const pod = env.AZURE_POD_IDENTITY_AUTHORITY_HOST?.trim();
  if (pod)
    return {
      variable: "AZURE_POD_IDENTITY_AUTHORITY_HOST",
      url: `${printableUrl(pod).replace(/\/+$/, "")}/metadata/identity/oauth2/token`,
    };
  return null;
}

/**
 * App Service: WEBSITE_SITE_NAME (hosts.ts). Container Apps: CONTAINER_APP_NAME and
 * CONTAINER_APP_REVISION (learn.microsoft.com, azure/container-apps/environment-variables). GitHub
 * Actions: GITHUB_ACTIONS=true, and ACTIONS_ID_TOKEN_REQUEST_URL only with `id-token: write`
 * (docs.github.com, actions/security-for-github-actions/security-hardening-your-deployments). AKS
 * workload identity's webhook sets AZURE_FEDERATED_TOKEN_FILE with AZURE_CLIENT_ID and AZURE_TENANT_ID
 * (learn.microsoft.com, azure/aks/workload-identity-overview).
 */
export function detectHost(env: NodeJS.ProcessEnv): HostReport {
  const endpoint = identityEndpoint(env);
  const site = appServiceHost(env);
  if (site) {
    const evidence = [
      "WEBSITE_SITE_NAME",
      "WEBSITE_RESOURCE_GROUP",
      "WEBSITE_OWNER_NAME",
      "FUNCTIONS_EXTENSION_VERSION",
    ];
    return {
      kind: site.kind,
      name: site.name,
      resourceGroup: site.resourceGroup,
      evidence: evidence.filter((k) => set(env, k)),
      identityEndpoint: endpoint,
    };
  }
  if (set(env, "CONTAINER_APP_NAME")) {
    return {
      kind: "containerapp",
      name: env.CONTAINER_APP_NAME?.trim() ?? null,
      resourceGroup: null,
      evidence: ["CONTAINER_APP_NAME", "CONTAINER_APP_REVISION"].filter((k) => set(env, k)),
      identityEndpoint: endpoint,
    };
  }
  if (env.GITHUB_ACTIONS?.trim() === "true") {
    const oidc = set(env, "ACTIONS_ID_TOKEN_REQUEST_URL") && set(env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    return {
      kind: "github-actions",
      name: env.GITHUB_REPOSITORY?.trim() || null,
      resourceGroup: null,
      evidence: ["GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_URL"].filter((k) => set(env, k)),
      identityEndpoint: endpoint,
      oidc,
    };
  }
  if (set(env, "AZURE_FEDERATED_TOKEN_FILE") && set(env, "KUBERNETES_SERVICE_HOST")) {
    return {
      kind: "kubernetes",
      name: null,
      resourceGroup: null,
      evidence: ["AZURE_FEDERATED_TOKEN_FILE", "KUBERNETES_SERVICE_HOST"],
      identityEndpoint: endpoint,
    };
  }
  return { kind: "machine", name: null, resourceGroup: null, evidence: [], identityEndpoint: endpoint };
}
