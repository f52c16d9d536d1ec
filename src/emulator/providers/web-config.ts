// A site's app settings: `POST …/sites/{name}/config/appsettings/list` reads the whole dictionary and
// `PUT …/sites/{name}/config/appsettings` REPLACES it (there is no PATCH and no ETag: two writers can
// lose each other's keys). REST spec: specification/web/resource-manager/Microsoft.Web/AppService
// (WebApps_ListApplicationSettings, WebApps_UpdateApplicationSettings; examples in
// ../shared/reference/data/appsettings-*-example.json). App Service gives the app each setting as an
// environment variable (learn.microsoft.com, azure/app-service/configure-common): see envFor.
import { armError, isReply, ok, readJson, resourceNotFound } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import type { Ctx, Reply } from "../http.js";
import type { Site, Slot, State } from "../state.js";
import { WEB_SITES_API_VERSIONS } from "./api-versions.js";
import { lookup, lookupSlot } from "./web.js";

const SITE =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/sites/{name}";

export function renderAppSettings(site: Site | Slot): Record<string, unknown> {
  const slot = "app" in site;
  return {
    id: `${site.id}/config/appsettings`,
    name: "appsettings",
    // A slot's config is its own type (WebApps_ListApplicationSettingsSlot; **guess** for the spelling).
    type: slot ? "Microsoft.Web/sites/slots/config" : "Microsoft.Web/sites/config",
    kind: site.kind,
    properties: { ...site.appSettings },
  };
}

function found(state: State, ctx: Ctx): Site | Slot | Reply {
  if (ctx.params.slot !== undefined) {
    const { slot, error } = lookupSlot(state, ctx, "get");
    return error ?? (slot as Slot);
  }
  const { site, error } = lookup(state, ctx);
  if (error) return error;
  if (!site)
    return resourceNotFound("Microsoft.Web/sites", ctx.params.name ?? "", ctx.params.resourceGroupName ?? "");
  return site;
}

/** `{"properties": {"NAME": "value", …}}`: every value a string (StringDictionary). Messages are a guess. */
function settingsFrom(body: Record<string, unknown>): Record<string, string> | Reply {
  const properties = body.properties;
  if (properties === null || typeof properties !== "object" || Array.isArray(properties))
    return armError(400, "BadRequest", "The parameter properties has an invalid value.");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(properties)) {
    if (typeof v !== "string" || k === "")
      return armError(400, "BadRequest", `The parameter properties.${k} has an invalid value.`);
    out[k] = v;
  }
  return out;
}

/** The two routes, for sites and (with their own RBAC actions) for deployment slots. */
export function webConfigRoutes(state: State): Route[] {
  return [
    ...configRoutes(state, SITE, "Microsoft.Web/sites"),
    ...configRoutes(state, `${SITE}/slots/{slot}`, "Microsoft.Web/sites/slots"),
  ];
}

function configRoutes(state: State, base: string, type: string): Route[] {
  const common = {
    kind: "arm" as const,
    apiVersions: WEB_SITES_API_VERSIONS,
    provider: { namespace: "Microsoft.Web", type: type.slice("Microsoft.Web/".length) },
  };
  return [
    {
      ...common,
      method: "POST",
      pattern: `${base}/config/appsettings/list`,
      // Listing settings is a POST action, outside */read: a Reader cannot see them.
      action: `${type}/config/list/action`,
      handler: (ctx) => {
        const site = found(state, ctx);
        return isReply(site) ? site : ok(renderAppSettings(site));
      },
    },
    {
      ...common,
      method: "PUT",
      pattern: `${base}/config/appsettings`,
      action: `${type}/config/write`,
      handler: (ctx) => {
        const site = found(state, ctx);
        if (isReply(site)) return site;
        const parsed = readJson(ctx);
        if (isReply(parsed)) return parsed;
        const settings = settingsFrom(parsed.body);
        if (isReply(settings)) return settings;
        site.appSettings = settings;
        site.lastModifiedTimeUtc = new Date().toISOString();
        return ok(renderAppSettings(site));
      },
    },
  ];
}
