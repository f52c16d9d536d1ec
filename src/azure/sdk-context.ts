// What the published modular clients (WebSiteManagementClient, ComputeManagementClient) do to their options
// before building their context, for the modules here that build that context themselves and call the
// per-operation functions on it: the caller's user agent prefix gains the SDK's own suffix
// (userAgentOptions replaced whole, as webSiteManagementClient.js and computeManagementClient.js do).

/** Client options that carry miauth's user agent prefix (clients.ts always sets one). */
export type WithUserAgent<T> = T & { userAgentOptions: { userAgentPrefix: string } };

/** The options as the published client passes them on to its context. */
export function asClientPassesThem<T>(options: WithUserAgent<T>): WithUserAgent<T> {
  const userAgentPrefix = `${options.userAgentOptions.userAgentPrefix} azsdk-js-client`;
  return { ...options, userAgentOptions: { userAgentPrefix } };
}
