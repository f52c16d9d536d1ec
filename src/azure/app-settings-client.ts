// The two app-settings operations, built like web-apps.ts from the SDK's per-operation modules (so the
// bundle keeps these two, not WebSiteManagementClient's hundreds): list (a POST) and update (a PUT that
// replaces the whole dictionary).
import type { StringDictionary, WebSiteManagementClientOptionalParams } from "@azure/arm-appservice";
import { createWebSiteManagement } from "@azure/arm-appservice/api";
import {
  listApplicationSettings,
  updateApplicationSettings,
  type WebAppsListApplicationSettingsOptionalParams,
  type WebAppsUpdateApplicationSettingsOptionalParams,
} from "@azure/arm-appservice/api/webApps";
import type { TokenCredential } from "@azure/core-auth";

export interface AppSettingsOps {
  list(
    group: string,
    site: string,
    options?: WebAppsListApplicationSettingsOptionalParams,
  ): Promise<StringDictionary>;
  update(
    group: string,
    site: string,
    settings: StringDictionary,
    options?: WebAppsUpdateApplicationSettingsOptionalParams,
  ): Promise<StringDictionary>;
}

export function createAppSettingsOps(
  credential: TokenCredential,
  subscriptionId: string,
  options: WebSiteManagementClientOptionalParams & { userAgentOptions: { userAgentPrefix: string } },
): AppSettingsOps {
  const context = createWebSiteManagement(credential, subscriptionId, {
    ...options,
    userAgentOptions: { userAgentPrefix: `${options.userAgentOptions.userAgentPrefix} azsdk-js-client` },
  });
  return {
    list: (group, site, opts) => listApplicationSettings(context, group, site, opts),
    update: (group, site, settings, opts) => updateApplicationSettings(context, group, site, settings, opts),
  };
}
