// The subscription-wide lists `identity delete` reads to find where a user-assigned identity is attached:
// WebApps_List (GET /subscriptions/{s}/providers/Microsoft.Web/sites, WebApps.json), WebApps_ListSlots
// (…/sites/{name}/slots) and VirtualMachines_ListAll (GET /subscriptions/{s}/providers/
// Microsoft.Compute/virtualMachines, virtualMachine.json). Each item is what the resource's own GET shows;
// pages carry an absolute nextLink like every ARM list.
import { page } from "../arm/paging.js";
import { resourceNotFound } from "../arm/replies.js";
import type { Route } from "../arm/router.js";
import type { Settings, State } from "../state.js";
import { COMPUTE_VM_API_VERSIONS, WEB_SITES_API_VERSIONS } from "./api-versions.js";
import { renderVm } from "./compute.js";
import { lookup, renderSite } from "./web.js";

function inSubscription(sub: string | undefined) {
  return (r: { subscriptionId: string }) => r.subscriptionId.toLowerCase() === (sub ?? "").toLowerCase();
}

export function listRoutes(state: State, settings: Settings): Route[] {
  const web = {
    method: "GET",
    kind: "arm" as const,
    apiVersions: WEB_SITES_API_VERSIONS,
    provider: { namespace: "Microsoft.Web", type: "sites" },
  };
  return [
    {
      ...web,
      pattern: "/subscriptions/{subscriptionId}/providers/Microsoft.Web/sites",
      action: "Microsoft.Web/sites/read",
      handler: (ctx) =>
        page(
          ctx,
          state,
          settings,
          Object.values(state.sites)
            .filter(inSubscription(ctx.params.subscriptionId))
            .map((s) => renderSite(state, s)),
        ),
    },
    {
      ...web,
      pattern:
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/sites/{name}/slots",
      provider: { namespace: "Microsoft.Web", type: "sites/slots" },
      action: "Microsoft.Web/sites/slots/read",
      handler: (ctx) => {
        const { site, error } = lookup(state, ctx);
        if (error) return error;
        if (!site)
          return resourceNotFound(
            "Microsoft.Web/sites",
            ctx.params.name ?? "",
            ctx.params.resourceGroupName ?? "",
          );
        const prefix = `${site.id}/slots/`.toLowerCase();
        const slots = Object.entries(state.slots)
          .filter(([key]) => key.startsWith(prefix))
          .map(([, s]) => renderSite(state, s));
        return page(ctx, state, settings, slots);
      },
    },
    {
      method: "GET",
      kind: "arm" as const,
      apiVersions: COMPUTE_VM_API_VERSIONS,
      provider: { namespace: "Microsoft.Compute", type: "virtualMachines" },
      pattern: "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachines",
      action: "Microsoft.Compute/virtualMachines/read",
      handler: (ctx) =>
        page(
          ctx,
          state,
          settings,
          Object.values(state.vms)
            .filter(inSubscription(ctx.params.subscriptionId))
            .map((v) => renderVm(state, v, ctx.apiVersion)),
        ),
    },
  ];
}
