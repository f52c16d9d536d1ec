// The site operations miauth uses (a site's and a deployment slot's GET and PATCH), built from the SDK's
// per-operation modules so the bundle keeps those and not WebSiteManagementClient's hundreds of others (imported statically here, and this
// module lazily by clients.ts: a dynamic import of the SDK module itself would keep all its exports).
import type { Site, SitePatchResource, WebSiteManagementClientOptionalParams } from "@azure/arm-appservice";
import { createWebSiteManagement } from "@azure/arm-appservice/api";
import {
  get,
  getSlot,
  update,
  updateSlot,
  type WebAppsGetOptionalParams,
  type WebAppsGetSlotOptionalParams,
  type WebAppsUpdateOptionalParams,
  type WebAppsUpdateSlotOptionalParams,
} from "@azure/arm-appservice/api/webApps";
import type { TokenCredential } from "@azure/core-auth";
import { asClientPassesThem, type WithUserAgent } from "./sdk-context.js";

/** As WebSiteManagementClient's `webApps` has them. */
export interface WebApps {
  webApps: {
    get(resourceGroupName: string, name: string, options?: WebAppsGetOptionalParams): Promise<Site>;
    update(
      resourceGroupName: string,
      name: string,
      siteEnvelope: SitePatchResource,
      options?: WebAppsUpdateOptionalParams,
    ): Promise<Site>;
    /** GET …/sites/{name}/slots/{slot} (WebApps_GetSlot). */
    getSlot(
      resourceGroupName: string,
      name: string,
      slot: string,
      options?: WebAppsGetSlotOptionalParams,
    ): Promise<Site>;
    /** PATCH …/sites/{name}/slots/{slot} (WebApps_UpdateSlot). */
    updateSlot(
      resourceGroupName: string,
      name: string,
      slot: string,
      siteEnvelope: SitePatchResource,
      options?: WebAppsUpdateSlotOptionalParams,
    ): Promise<Site>;
  };
}

/** The context as WebSiteManagementClient builds it (its user agent suffix included), and the operations. */
export function createWebApps(
  credential: TokenCredential,
  subscriptionId: string,
  options: WithUserAgent<WebSiteManagementClientOptionalParams>,
): WebApps {
  const context = createWebSiteManagement(credential, subscriptionId, asClientPassesThem(options));
  return {
    webApps: {
      get: (group, name, opts) => get(context, group, name, opts),
      update: (group, name, envelope, opts) => update(context, group, name, envelope, opts),
      getSlot: (group, name, slot, opts) => getSlot(context, group, name, slot, opts),
      updateSlot: (group, name, slot, envelope, opts) =>
        updateSlot(context, group, name, slot, envelope, opts),
    },
  };
}
