// Where this process runs, as the host shows it: App Service's variables, or a VM's instance metadata.
// Used to name the app in a fix ("miauth enable --webapp NAME -g RG") when it has no managed identity.
import { request } from "node:http";
import { isLoopbackUrl } from "./loopback.js";

export interface HostRef {
  kind: "webapp" | "functionapp" | "vm" | "containerapp";
  name: string;
  /** Null when the host does not say. */
  resourceGroup: string | null;
  /** The deployment slot this app runs in, when not the production one. */
  slot?: string;
}

/**
 * App Service sets WEBSITE_SITE_NAME, WEBSITE_RESOURCE_GROUP and WEBSITE_OWNER_NAME
 * (`{subscriptionId}+{resourceGroup}-{region}webspace[-Linux]`) for every app (learn.microsoft.com,
 * azure/app-service/reference-app-settings); a function app also has FUNCTIONS_EXTENSION_VERSION
 * (azure/azure-functions/functions-app-settings).
 */
export function appServiceHost(env: NodeJS.ProcessEnv): HostRef | null {
  const name = env.WEBSITE_SITE_NAME?.trim();
  if (!name) return null;
  const owner = /^[^+]+\+(.+)-[^-]+webspace(?:-Linux)?$/i.exec(env.WEBSITE_OWNER_NAME?.trim() ?? "")?.[1];
  const host: HostRef = {
    kind: env.FUNCTIONS_EXTENSION_VERSION?.trim() ? "functionapp" : "webapp",
    name,
    resourceGroup: env.WEBSITE_RESOURCE_GROUP?.trim() || owner || null,
  };
  // WEBSITE_SLOT_NAME is "Production" in the app itself (Azure/azure-functions-durable-extension,
  // DurableTaskOptions.IsInNonProductionSlot); a slot's own identity is the slot's, not the app's.
  const slot = env.WEBSITE_SLOT_NAME?.trim();
  if (slot && slot.toLowerCase() !== "production" && /^[a-zA-Z0-9-]{1,59}$/.test(slot)) host.slot = slot;
  return host;
}

const set = (v: string | undefined) => v !== undefined && v.trim() !== "";

/**
 * Container Apps sets CONTAINER_APP_NAME (and CONTAINER_APP_REVISION, …) in every replica
 * (learn.microsoft.com, azure/container-apps/environment-variables, "Built-in environment variables"),
 * but nothing that names the resource group.
 */
export function containerAppHost(env: NodeJS.ProcessEnv): HostRef | null {
  const name = env.CONTAINER_APP_NAME?.trim();
  if (!name || !/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(name)) return null;
  return { kind: "containerapp", name, resourceGroup: null };
}

/**
 * An App Service app without a managed identity: App Service defines IDENTITY_ENDPOINT and IDENTITY_HEADER
 * (MSI_ENDPOINT/MSI_SECRET) only for an app that has one (azure/app-service/overview-managed-identity),
 * and nothing else would give a token (no service principal or workload identity settings). The SDK would
 * then try IMDS, which App Service does not serve.
 */
export function appServiceWithoutIdentity(env: NodeJS.ProcessEnv): HostRef | null {
  // Container Apps, like App Service, defines IDENTITY_ENDPOINT only for an app with an identity
  // (learn.microsoft.com, azure/container-apps/managed-identity) and serves no IMDS.
  const host = appServiceHost(env) ?? containerAppHost(env);
  if (!host) return null;
  const endpoints = ["IDENTITY_ENDPOINT", "MSI_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST"];
  const others = [
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_USERNAME",
  ];
  if ([...endpoints, ...others].some((k) => set(env[k]))) return null;
  return env.AZURE_TOKEN_CREDENTIALS?.trim().toLowerCase() === "dev" ? null : host;
}

/**
 * The VM this runs on, from IMDS instance metadata (`GET /metadata/instance?api-version=2021-02-01`,
 * `Metadata: true`: `compute.name`, `compute.resourceGroupName`; learn.microsoft.com,
 * virtual-machines/instance-metadata-service). Asked only after IMDS answered a token request; its host
 * is AZURE_POD_IDENTITY_AUTHORITY_HOST when set (as the SDK uses it), else 169.254.169.254 unless miauth
 * is aimed at a local ARM endpoint. Null when it cannot tell.
 */
export async function vmHost(env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<HostRef | null> {
  const pod = env.AZURE_POD_IDENTITY_AUTHORITY_HOST?.trim();
  if (!pod && set(env.MIAUTH_ARM_ENDPOINT)) return null;
  let url: URL;
  try {
    url = new URL(`${(pod || "http://169.254.169.254").replace(/\/+$/, "")}/metadata/instance`);
  } catch {
    return null;
  }
  if (url.protocol !== "http:") return null;
  // A rehearsal (loopback ARM) never reaches past this machine, not even for a name in a fix.
  const arm = env.MIAUTH_ARM_ENDPOINT;
  if (arm && isLoopbackUrl(arm) && !isLoopbackUrl(url.href)) return null;
  url.searchParams.set("api-version", "2021-02-01");
  const text = await new Promise<string | null>((done) => {
    const req = request(url, { headers: { Metadata: "true" }, timeout: 2000, signal }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => done(res.statusCode === 200 ? body : null));
      res.on("error", () => done(null));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => done(null));
    req.end();
  });
  if (text === null) return null;
  try {
    const compute = (JSON.parse(text) as { compute?: { name?: unknown; resourceGroupName?: unknown } })
      .compute;
    if (typeof compute?.name !== "string" || compute.name === "") return null;
    const group = typeof compute.resourceGroupName === "string" ? compute.resourceGroupName : null;
    return { kind: "vm", name: compute.name, resourceGroup: group || null };
  } catch {
    return null;
  }
}

/** `--webapp NAME -g RG [--slot SLOT]`, as the other commands take a target. */
export function hostFlags(host: HostRef): string {
  const slot = host.slot === undefined ? "" : ` --slot ${host.slot}`;
  return `--${host.kind} ${host.name} -g ${host.resourceGroup ?? "<resource-group>"}${slot}`;
}
