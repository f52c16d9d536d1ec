// What a host gives the app it runs, as environment variables, from the emulator's state at the time of
// asking: App Service (web apps, function apps) and a VM. `emulator env --as` prints it; `envFor` returns it.
import type { Site, Slot, State, Vm } from "../state.js";

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
] as const;

export type HostKind = "webapp" | "functionapp" | "vm";

export type HostSelector = { resourceId: string } | { kind: HostKind; name: string; resourceGroup: string };

export interface HostEndpoints {
  /** The App Service identity endpoint URL of this site. */
  identityEndpoint(site: Site): string;
  identityHeader: string;
  /** http://127.0.0.1:PORT: the VM's IMDS, for AZURE_POD_IDENTITY_AUTHORITY_HOST. */
  imdsHost(vmKey: string): string | undefined;
}

function isFunctionApp(site: Site): boolean {
  return site.kind.toLowerCase().split(",").includes("functionapp");
}

/** The site or VM a selector names, or a one-line reason there is none. */
export function findHost(state: State, sel: HostSelector): { key: string; host: Site | Vm } | string {
  if ("resourceId" in sel) {
    const key = sel.resourceId.toLowerCase();
    const host = state.sites[key] ?? state.slots[key] ?? state.vms[key];
    if (host) return { key, host };
    const known = [
      ...Object.values(state.sites),
      ...Object.values(state.slots),
      ...Object.values(state.vms),
    ].map((r) => r.id);
    return `no web app, function app or virtual machine '${sel.resourceId}' in the emulator (known: ${known.join(", ")})`;
  }
  const pool = sel.kind === "vm" ? state.vms : state.sites;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const found = Object.entries(pool).filter(
    ([, r]) => same(r.name, sel.name) && same(r.resourceGroup, sel.resourceGroup),
  );
  const what = { webapp: "web app", functionapp: "function app", vm: "virtual machine" }[sel.kind];
  const [first, ...more] = found;
  if (!first) return `no ${what} '${sel.name}' in resource group '${sel.resourceGroup}' in the emulator`;
  if (more.length > 0)
    return `'${sel.name}' in resource group '${sel.resourceGroup}' is in several subscriptions of the emulator: use --as with its resource ID`;
  const [key, host] = first;
  if (sel.kind !== "vm" && isFunctionApp(host as Site) !== (sel.kind === "functionapp")) {
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
  host: Site | Vm,
  endpoints: HostEndpoints,
): Record<string, string> {
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
