// What a host gives the app it runs, as environment variables, from the emulator's state at the time of
// asking: App Service (web apps, function apps) and a VM. `emulator env --as` prints it; `envFor` returns it.
import { revisionName } from "../providers/container-apps.js";
import type { ContainerApp, Site, Slot, State, Vm } from "../state.js";

/** Every variable a host may set: `env --as` unsets those this host does not (after env.sh, say). */
export const HOST_VARIABLES = [
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
  "MSI_ENDPOINT",
  "MSI_SECRET",
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "WEBSITE_SITE_NAME",
  "WEBSITE_RESOURCE_GROUP",
  "WEBSITE_OWNER_NAME",
  "WEBSITE_SLOT_NAME",
  "FUNCTIONS_EXTENSION_VERSION",
  "CONTAINER_APP_NAME",
  "CONTAINER_APP_REVISION",
  "CONTAINER_APP_HOSTNAME",
  "CONTAINER_APP_ENV_DNS_SUFFIX",
  "CONTAINER_APP_PORT",
  "CONTAINER_APP_REPLICA_NAME",
] as const;

export type HostKind = "webapp" | "functionapp" | "vm" | "containerapp";

export type HostSelector = { resourceId: string } | { kind: HostKind; name: string; resourceGroup: string };

export interface HostEndpoints {
  /** The App Service style identity endpoint URL of this site or container app. */
  identityEndpoint(host: { id: string }): string;
  identityHeader: string;
  /** http://127.0.0.1:PORT: the VM's IMDS, for AZURE_POD_IDENTITY_AUTHORITY_HOST. */
  imdsHost(vmKey: string): string | undefined;
}

function isFunctionApp(site: Site): boolean {
  return site.kind.toLowerCase().split(",").includes("functionapp");
}

/** The site or VM a selector names, or a one-line reason there is none. */
export function findHost(
  state: State,
  sel: HostSelector,
): { key: string; host: Site | Vm | ContainerApp } | string {
  if ("resourceId" in sel) {
    const key = sel.resourceId.toLowerCase();
    const host = state.sites[key] ?? state.slots[key] ?? state.vms[key] ?? state.containerApps[key];
    if (host) return { key, host };
    const known = [
      ...Object.values(state.sites),
      ...Object.values(state.slots),
      ...Object.values(state.vms),
      ...Object.values(state.containerApps),
    ].map((r) => r.id);
    return `no web app, function app, virtual machine or container app '${sel.resourceId}' in the emulator (known: ${known.join(", ")})`;
  }
  const pool: Record<string, Site | Vm | ContainerApp> =
    sel.kind === "vm" ? state.vms : sel.kind === "containerapp" ? state.containerApps : state.sites;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const found = Object.entries(pool).filter(
    ([, r]) => same(r.name, sel.name) && same(r.resourceGroup, sel.resourceGroup),
  );
  const what = {
    webapp: "web app",
    functionapp: "function app",
    vm: "virtual machine",
    containerapp: "container app",
  }[sel.kind];
  const [first, ...more] = found;
  if (!first) return `no ${what} '${sel.name}' in resource group '${sel.resourceGroup}' in the emulator`;
  if (more.length > 0)
    return `'${sel.name}' in resource group '${sel.resourceGroup}' is in several subscriptions of the emulator: use --as with its resource ID`;
  const [key, host] = first;
  if (
    sel.kind !== "vm" &&
    sel.kind !== "containerapp" &&
    isFunctionApp(host as Site) !== (sel.kind === "functionapp")
  ) {
    return `'${sel.name}' in resource group '${sel.resourceGroup}' is a ${isFunctionApp(host as Site) ? "function app" : "web app"}: use --${isFunctionApp(host as Site) ? "functionapp" : "webapp"}`;
  }
  return { key, host };
}

/**
 * App Service sets IDENTITY_ENDPOINT and IDENTITY_HEADER only while the app has a managed identity (system
 * or user-assigned), and always WEBSITE_SITE_NAME, WEBSITE_RESOURCE_GROUP, WEBSITE_OWNER_NAME and
 * WEBSITE_SLOT_NAME (a deployment slot has its own endpoint, for its own identity); a function
 * app also has FUNCTIONS_EXTENSION_VERSION; every app setting is a variable too. A VM has none of these: its app reaches IMDS, here through
 * AZURE_POD_IDENTITY_AUTHORITY_HOST. Sources: src/emulator/README.md, "Hosts".
 */
export function hostVariables(
  state: State,
  key: string,
  host: Site | Vm | ContainerApp,
  endpoints: HostEndpoints,
): Record<string, string> {
  if (key in state.containerApps) return containerAppVariables(host as ContainerApp, endpoints);
  if (key in state.vms) {
    const imds = endpoints.imdsHost(key);
    return imds ? { AZURE_POD_IDENTITY_AUTHORITY_HOST: imds } : {};
  }
  const site = host as Site | Slot;
  const slot = "app" in site ? site : undefined;
  const linux = site.kind.toLowerCase().split(",").includes("linux");
  const env: Record<string, string> = {};
  if (site.identity.system || site.identity.user.length > 0) {
    env.IDENTITY_ENDPOINT = endpoints.identityEndpoint(site);
    env.IDENTITY_HEADER = endpoints.identityHeader;
  }
  // A slot runs as its app: the app's name, and the slot's in WEBSITE_SLOT_NAME ("Production" for the app).
  env.WEBSITE_SITE_NAME = slot ? slot.app : site.name;
  env.WEBSITE_RESOURCE_GROUP = site.resourceGroup;
  // {subscriptionId}+{resourceGroup}-{region}webspace[-Linux]; the region's spelling is a guess.
  env.WEBSITE_OWNER_NAME = `${site.subscriptionId}+${site.resourceGroup}-${site.location}webspace${linux ? "-Linux" : ""}`;
  env.WEBSITE_SLOT_NAME = slot ? slot.name : "Production";
  if (isFunctionApp(site)) env.FUNCTIONS_EXTENSION_VERSION = "~4";
  // App settings reach the app as variables; the platform's own names are not theirs to change.
  return { ...site.appSettings, ...env };
}

/**
 * Container Apps sets CONTAINER_APP_NAME, CONTAINER_APP_REVISION, CONTAINER_APP_HOSTNAME (the revision's
 * host name), CONTAINER_APP_ENV_DNS_SUFFIX, CONTAINER_APP_PORT (the ingress target port) and
 * CONTAINER_APP_REPLICA_NAME in every replica, and IDENTITY_ENDPOINT and IDENTITY_HEADER (the App Service
 * style endpoint, api-version 2019-08-01) only while the app has a managed identity. The template's env
 * of its first container comes first (a secretRef's value is not known here, so it is left out); the
 * platform's names win. Sources: src/emulator/README.md, "Container Apps".
 */
function containerAppVariables(app: ContainerApp, endpoints: HostEndpoints): Record<string, string> {
  const own: Record<string, string> = {};
  for (const e of app.containers[0]?.env ?? []) if (typeof e.value === "string") own[e.name] = e.value;
  const revision = revisionName(app);
  const env: Record<string, string> = {};
  if (app.identity.system || app.identity.user.length > 0) {
    env.IDENTITY_ENDPOINT = endpoints.identityEndpoint(app);
    env.IDENTITY_HEADER = endpoints.identityHeader;
  }
  env.CONTAINER_APP_NAME = app.name;
  env.CONTAINER_APP_REVISION = revision;
  env.CONTAINER_APP_HOSTNAME = `${revision}.${app.defaultDomain}`;
  env.CONTAINER_APP_ENV_DNS_SUFFIX = app.defaultDomain;
  env.CONTAINER_APP_PORT = "80";
  env.CONTAINER_APP_REPLICA_NAME = `${revision}-6d8f9c7b5d-x2k4q`;
  return { ...own, ...env };
}
