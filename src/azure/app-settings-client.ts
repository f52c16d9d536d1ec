// The two app-settings operations, built like web-apps.ts from the SDK's per-operation modules (so the
// bundle keeps these two, not WebSiteManagementClient's hundreds): list (a POST) and update (a PUT that
// replaces the whole dictionary).
import type { StringDictionary, WebSiteManagementClientOptionalParams } from "@azure/arm-appservice";
import { createWebSiteManagement } from "@azure/arm-appservice/api";
import {
  listApplicationSettings,
  listApplicationSettingsSlot,
  updateApplicationSettings,
  updateApplicationSettingsSlot,
  type WebAppsListApplicationSettingsOptionalParams,
  type WebAppsUpdateApplicationSettingsOptionalParams,
} from "@azure/arm-appservice/api/webApps";
import type { TokenCredential } from "@azure/core-auth";
import { asClientPassesThem, type WithUserAgent } from "./sdk-context.js";

/** A site, or one of its deployment slots. */
export interface SiteRef {
  group: string;
  site: string;
  slot?: string;
}

export interface AppSettingsOps {
  list(at: SiteRef, options?: WebAppsListApplicationSettingsOptionalParams): Promise<StringDictionary>;
  update(
    at: SiteRef,
    settings: StringDictionary,
    options?: WebAppsUpdateApplicationSettingsOptionalParams,
  ): Promise<StringDictionary>;
}

export function createAppSettingsOps(
  credential: TokenCredential,
  subscriptionId: string,
  options: WithUserAgent<WebSiteManagementClientOptionalParams>,
): AppSettingsOps {
  const context = createWebSiteManagement(credential, subscriptionId, asClientPassesThem(options));
  return {
    list: (at, opts) =>
      at.slot === undefined
        ? listApplicationSettings(context, at.group, at.site, opts)
        : listApplicationSettingsSlot(context, at.group, at.site, at.slot, opts),
    update: (at, settings, opts) =>
      at.slot === undefined
        ? updateApplicationSettings(context, at.group, at.site, settings, opts)
        : updateApplicationSettingsSlot(context, at.group, at.site, at.slot, settings, opts),
  };
}
