// The ARM endpoint and token audience of each Azure cloud, as `az cloud list` names them.
import { UsageError } from "../errors.js";
import { pathSegments } from "./ids.js";

export interface Cloud {
  name: string;
  armEndpoint: string;
  /** The scope asked of the credential; ARM checks the token's audience against it. */
  armScope: string;
  authorityHost: string;
  /** Host suffix of storage endpoints: https://{account}.blob.{storageSuffix} */
  storageSuffix: string;
  /** Microsoft Graph (national cloud deployments: learn.microsoft.com/graph/deployments). */
  graphEndpoint: string;
  graphScope: string;
}

export const CLOUDS: Record<string, Cloud> = {
  azurecloud: {
    name: "AzureCloud",
    armEndpoint: "https://management.azure.com",
    armScope: "https://management.azure.com/.default",
    authorityHost: "https://login.microsoftonline.com",
    storageSuffix: "core.windows.net",
    graphEndpoint: "https://graph.microsoft.com",
    graphScope: "https://graph.microsoft.com/.default",
  },
  azureusgovernment: {
    name: "AzureUSGovernment",
    armEndpoint: "https://management.usgovcloudapi.net",
    armScope: "https://management.usgovcloudapi.net/.default",
    authorityHost: "https://login.microsoftonline.us",
    storageSuffix: "core.usgovcloudapi.net",
    graphEndpoint: "https://graph.microsoft.us",
    graphScope: "https://graph.microsoft.us/.default",
  },
  azurechinacloud: {
    name: "AzureChinaCloud",
    armEndpoint: "https://management.chinacloudapi.cn",
    armScope: "https://management.chinacloudapi.cn/.default",
    authorityHost: "https://login.chinacloudapi.cn",
    storageSuffix: "core.chinacloudapi.cn",
    graphEndpoint: "https://microsoftgraph.chinacloudapi.cn",
    graphScope: "https://microsoftgraph.chinacloudapi.cn/.default",
  },
};

export function parseCloud(name: string | undefined): Cloud {
  const cloud = CLOUDS[(name ?? "AzureCloud").toLowerCase()];
  if (!cloud) {
    throw new UsageError(
      `unknown --cloud '${name}': use ${Object.values(CLOUDS)
        .map((c) => c.name)
        .join(", ")}`,
    );
  }
  return cloud;
}

/** The URL as it may be shown: a user name, password or query (a SAS signature) in it is never printed. */
function shown(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1…@").replace(/[?#].*$/s, "?…");
}

/** --arm-endpoint / MIAUTH_ARM_ENDPOINT: an https URL; trailing slashes removed so paths never get `//`. */
export function parseArmEndpoint(value: string): string {
  const bad = (why: string) => new UsageError(`invalid ARM endpoint '${shown(value)}': ${why}`);
  return parseHttpsUrl(value, bad).toString().replace(/\/+$/, "");
}

/** MIAUTH_GRAPH_ENDPOINT: an https URL, checked as the ARM endpoint is. */
export function parseGraphEndpoint(value: string): string {
  const bad = (why: string) =>
    new UsageError(`invalid Microsoft Graph endpoint '${shown(value)}' (MIAUTH_GRAPH_ENDPOINT): ${why}`);
  return parseHttpsUrl(value, bad).toString().replace(/\/+$/, "");
}

/**
 * A blob service endpoint (--blob-endpoint and its environment variables): https, no user name or
 * password, no query or fragment (a SAS in it would be printed in the report), and a path of plain
 * segments (`..` or `%2e` would be resolved by the URL layer, not by us). Trailing slashes removed.
 */
export function parseBlobEndpoint(value: string, source: string): string {
  const bad = (why: string) => new UsageError(`invalid blob endpoint '${shown(value)}' (${source}): ${why}`);
  const url = parseHttpsUrl(value, bad);
  const path = pathOf(value);
  if (path !== "/") pathSegments(path, bad);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

/** Shared checks of an https endpoint: parsable, https, no credentials, no query or fragment. */
function parseHttpsUrl(value: string, bad: (why: string) => UsageError): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad("expected an https:// URL");
  }
  if (url.protocol !== "https:")
    throw bad("it must be https (the Azure SDK never sends a token over plain http)");
  // Credentials in the URL would be sent to the server and printed in traces: Azure takes a token.
  if (url.username || url.password || /^[^/]*\/\/[^/?#]*@/.test(value))
    throw bad("no user name or password allowed in it");
  if (url.search || url.hash || /[?#]/.test(value)) throw bad("no query or fragment allowed");
  return url;
}

/** The path as typed (before the URL layer resolves `..` or escapes): what follows the authority. */
function pathOf(value: string): string {
  const rest = value.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/\\]*/i, "");
  return rest === "" ? "/" : rest;
}
