import {
  armError,
  groupMissing,
  isReply,
  ok,
  patchNotFound,
  readJson,
  resourceNotFound,
} from "../arm/replies.js";
import { applyIdentity, renderIdentity } from "../arm/resource-identity.js";
import type { Route } from "../arm/router.js";
import type { Ctx, Reply } from "../http.js";
import type { Site, Slot, State } from "../state.js";
import { WEB_SITES_API_VERSIONS } from "./api-versions.js";

const LOCATION_NAMES: Record<string, string> = {
  eastus: "East US",
  eastus2: "East US 2",
  westus: "West US",
  westus2: "West US 2",
  centralus: "Central US",
  northeurope: "North Europe",
  westeurope: "West Europe",
  uksouth: "UK South",
};

/** Microsoft.Web answers with the display name of the region ("East US"). */
function displayLocation(location: string): string {
  return LOCATION_NAMES[location.toLowerCase()] ?? location;
}

const SITE =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/sites/{name}";
const SLOT = `${SITE}/slots/{slot}`;
const SITE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,58}[a-zA-Z0-9]$/;

/**
 * A site, or a deployment slot: `name` `{app}/{slot}`, type `Microsoft.Web/sites/slots`, host names
 * `{app}-{slot}.azurewebsites.net`, `repositorySiteName` the app's (the REST spec's GetWebAppSlot.json).
 */
export function renderSite(state: State, site: Site | Slot): Record<string, unknown> {
  const slot = "app" in site ? site : undefined;
  const label = slot ? `${slot.app}-${slot.name}` : site.name;
  const host = `${label.toLowerCase()}.azurewebsites.net`;
  const scm = `${label.toLowerCase()}.scm.azurewebsites.net`;
  const linux = site.kind.includes("linux");
  const isFunction = site.kind.startsWith("functionapp");
  const body: Record<string, unknown> = {
    id: site.id,
    name: slot ? `${slot.app}/${slot.name}` : site.name,
    type: slot ? "Microsoft.Web/sites/slots" : "Microsoft.Web/sites",
    kind: site.kind,
    location: displayLocation(site.location),
    tags: {},
    properties: {
      name: slot ? `${slot.app}(${slot.name})` : site.name,
      state: "Running",
      hostNames: [host],
      webSpace: `${site.resourceGroup}-EastUSwebspace`,
      repositorySiteName: slot ? slot.app : site.name,
      usageState: "Normal",
      enabled: true,
      enabledHostNames: [host, scm],
      availabilityState: "Normal",
      hostNameSslStates: [
        { name: host, sslState: "Disabled", hostType: "Standard" },
        { name: scm, sslState: "Disabled", hostType: "Repository" },
      ],
      serverFarmId: `/subscriptions/${site.subscriptionId}/resourceGroups/${site.resourceGroup}/providers/Microsoft.Web/serverfarms/${isFunction ? "EastUSPlan" : "ASP-msdocs"}`,
      reserved: linux,
      isXenon: false,
      hyperV: false,
      lastModifiedTimeUtc: site.lastModifiedTimeUtc,
      vnetRouteAllEnabled: false,
      vnetImagePullEnabled: false,
      vnetContentShareEnabled: false,
      siteConfig: {
        numberOfWorkers: 1,
        linuxFxVersion: linux ? (isFunction ? "NODE|20" : "NODE|20-lts") : "",
        acrUseManagedIdentityCreds: false,
        alwaysOn: false,
        http20Enabled: false,
        functionAppScaleLimit: isFunction ? 200 : 0,
        minimumElasticInstanceCount: 0,
        minTlsVersion: "1.2",
      },
      scmSiteAlsoStopped: false,
      clientAffinityEnabled: !isFunction,
      clientCertEnabled: false,
      clientCertMode: "Required",
      hostNamesDisabled: false,
      outboundIpAddresses: "20.119.0.34,20.119.0.35",
      possibleOutboundIpAddresses: "20.119.0.34,20.119.0.35,20.119.0.36,20.119.0.37",
      containerSize: isFunction ? 1536 : 0,
      dailyMemoryTimeQuota: 0,
      resourceGroup: site.resourceGroup,
      defaultHostName: host,
      httpsOnly: true,
      redundancyMode: "None",
      storageAccountRequired: false,
      keyVaultReferenceIdentity: "SystemAssigned",
    },
  };
  const identity = renderIdentity(state, site.identity, "web");
  if (identity) body.identity = identity;
  return body;
}

function invalidName(name: string): Reply | undefined {
  if (SITE_NAME.test(name)) return undefined;
  return armError(
    400,
    "InvalidResourceName",
    `The resource name '${name}' is invalid. The name can contain only letters, numbers and hyphens, must start and end with a letter or number, and must be 2 to 60 characters long.`,
  );
}

export function lookup(state: State, ctx: Ctx): { site?: Site; error?: Reply } {
  const { subscriptionId = "", resourceGroupName = "", name = "" } = ctx.params;
  const error = invalidName(name) ?? groupMissing(state, subscriptionId, resourceGroupName);
  if (error) return { error };
  const key = `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/microsoft.web/sites/${name}`;
  return { site: state.sites[key.toLowerCase()] };
}

/** The slot a request names, or the 404 of its app (ARM's for a missing parent) or of the slot itself. */
export function lookupSlot(state: State, ctx: Ctx, missing: "get" | "patch"): { slot?: Slot; error?: Reply } {
  const { site, error } = lookup(state, ctx);
  if (error) return { error };
  const { name = "", slot = "", resourceGroupName = "" } = ctx.params;
  if (!site) return { error: resourceNotFound("Microsoft.Web/sites", name, resourceGroupName) };
  const found = state.slots[`${site.id}/slots/${slot}`.toLowerCase()];
  if (found) return { slot: found };
  return {
    error:
      missing === "patch"
        ? patchNotFound(ctx, `${name}/${slot}`)
        : resourceNotFound("Microsoft.Web/sites/slots", `${name}/${slot}`, resourceGroupName),
  };
}

function update(state: State, ctx: Ctx, site: Site): Reply {
  const parsed = readJson(ctx);
  if (isReply(parsed)) return parsed;
  if (parsed.body.identity !== undefined && parsed.body.identity !== null) {
    const next = applyIdentity(state, site.identity, parsed.body.identity, site.id);
    if (isReply(next)) return next;
    site.identity = next;
  }
  site.lastModifiedTimeUtc = new Date().toISOString();
  return ok(renderSite(state, site));
}

export function webRoutes(state: State): Route[] {
  const common = {
    pattern: SITE,
    kind: "arm" as const,
    apiVersions: WEB_SITES_API_VERSIONS,
    provider: { namespace: "Microsoft.Web", type: "sites" },
  };
  return [
    {
      ...common,
      method: "GET",
      action: "Microsoft.Web/sites/read",
      handler: (ctx) => {
        const { site, error } = lookup(state, ctx);
        if (error) return error;
        if (!site)
          return resourceNotFound(
            "Microsoft.Web/sites",
            ctx.params.name ?? "",
            ctx.params.resourceGroupName ?? "",
          );
        return ok(renderSite(state, site));
      },
    },
    {
      ...common,
      method: "PATCH",
      action: "Microsoft.Web/sites/write",
      handler: (ctx) => {
        const { site, error } = lookup(state, ctx);
        if (error) return error;
        if (!site) return patchNotFound(ctx, ctx.params.name ?? "");
        return update(state, ctx, site);
      },
    },
    {
      ...common,
      method: "PUT",
      action: "Microsoft.Web/sites/write",
      handler: (ctx) => {
        const { site, error } = lookup(state, ctx);
        if (error) return error;
        // Creating sites (server farms, hosting plans) is outside what the emulator models.
        if (!site)
          return resourceNotFound(
            "Microsoft.Web/sites",
            ctx.params.name ?? "",
            ctx.params.resourceGroupName ?? "",
          );
        return update(state, ctx, site);
      },
    },
    ...slotRoutes(state),
  ];
}

/**
 * Deployment slots (WebApps_GetSlot, WebApps_UpdateSlot, WebApps_CreateOrUpdateSlot in WebApps.json): the
 * same api-versions and replies as the site, each slot with its own identity. Creating slots is not modelled.
 */
function slotRoutes(state: State): Route[] {
  const common = {
    pattern: SLOT,
    kind: "arm" as const,
    apiVersions: WEB_SITES_API_VERSIONS,
    provider: { namespace: "Microsoft.Web", type: "sites/slots" },
  };
  return [
    {
      ...common,
      method: "GET",
      action: "Microsoft.Web/sites/slots/read",
      handler: (ctx) => {
        const { slot, error } = lookupSlot(state, ctx, "get");
        return error ?? ok(renderSite(state, slot as Slot));
      },
    },
    {
      ...common,
      method: "PATCH",
      action: "Microsoft.Web/sites/slots/write",
      handler: (ctx) => {
        const { slot, error } = lookupSlot(state, ctx, "patch");
        return error ?? update(state, ctx, slot as Slot);
      },
    },
    {
      ...common,
      method: "PUT",
      action: "Microsoft.Web/sites/slots/write",
      handler: (ctx) => {
        const { slot, error } = lookupSlot(state, ctx, "get");
        return error ?? update(state, ctx, slot as Slot);
      },
    },
  ];
}
