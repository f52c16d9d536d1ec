// Deployment slots in the emulator: `Microsoft.Web/sites/{app}/slots/{slot}` read and written as
// WebApps_GetSlot / WebApps_UpdateSlot answer, each slot with an identity and a token endpoint of its own.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD, startEmulator, validateWorld, type World } from "../../src/emulator/index.js";
import { claimsOf, ids, RG, useEmulator, WEB } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });

function slotId(app = "msdocs-web", slot = "staging") {
  return `${ids(emu.handle).site(app)}/slots/${slot}`;
}

describe("Microsoft.Web/sites/slots", () => {
  it("the default world has msdocs-web/staging, read as GetWebAppSlot.json shows a slot", async () => {
    const r = await emu.current.arm("GET", `${slotId()}?${WEB}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: slotId(),
      name: "msdocs-web/staging",
      type: "Microsoft.Web/sites/slots",
      kind: "app",
      location: "East US",
      properties: {
        defaultHostName: "msdocs-web-staging.azurewebsites.net",
        hostNames: ["msdocs-web-staging.azurewebsites.net"],
        repositorySiteName: "msdocs-web",
        resourceGroup: RG,
      },
    });
    expect(r.body.identity).toBeUndefined();
    // Literal segments are case-insensitive, as ARM reads them.
    const upper = await emu.current.arm("GET", `${slotId().replace("/slots/", "/SLOTS/")}?${WEB}`);
    expect(upper.status).toBe(200);
  });

  it("gives the slot an identity of its own: the site's stays as it was, and the reverse", async () => {
    const site = ids(emu.handle).site("msdocs-web");
    const slotPrincipal = await emu.current.enableSystem(slotId());
    const siteAfter = await emu.current.arm("GET", `${site}?${WEB}`);
    expect(siteAfter.body.identity).toBeUndefined();

    const sitePrincipal = await emu.current.enableSystem(site);
    expect(sitePrincipal).not.toBe(slotPrincipal);
    const slotAfter = await emu.current.arm("GET", `${slotId()}?${WEB}`);
    expect(slotAfter.body.identity).toEqual({
      type: "SystemAssigned",
      tenantId: emu.handle.tenantId,
      principalId: slotPrincipal,
      userAssignedIdentities: null,
    });

    // Removing the slot's leaves the site's.
    const off = await emu.current.arm("PATCH", `${slotId()}?${WEB}`, { identity: { type: "None" } });
    expect(off.status).toBe(200);
    expect(off.body.identity).toBeUndefined();
    const site2 = await emu.current.arm("GET", `${site}?${WEB}`);
    expect((site2.body.identity as { principalId: string }).principalId).toBe(sitePrincipal);
    const state = (await emu.current.state()) as { slots: { id: string; identity: unknown }[] };
    expect(state.slots).toEqual([{ id: slotId(), kind: "app", identity: null }]);
  });

  it("keeps user-assigned identities by the same PATCH rules as a site", async () => {
    const uami = emu.current.uamiId("msdocs-uami");
    const attach = await emu.current.arm("PATCH", `${slotId()}?${WEB}`, {
      identity: { type: "UserAssigned", userAssignedIdentities: { [uami]: {} } },
    });
    expect(attach.status).toBe(200);
    const both = await emu.current.arm("PATCH", `${slotId()}?${WEB}`, {
      identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uami]: {} } },
    });
    const identity = both.body.identity as { type: string; userAssignedIdentities: object };
    expect(identity.type).toBe("SystemAssigned, UserAssigned");
    expect(Object.keys(identity.userAssignedIdentities)).toEqual([uami]);
  });

  it("answers a missing slot, a missing app and an unknown api-version as ARM does", async () => {
    const missing = await emu.current.arm("GET", `${slotId("msdocs-web", "nope")}?${WEB}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({
      code: "ResourceNotFound",
      message: `The Resource 'Microsoft.Web/sites/slots/msdocs-web/nope' under resource group '${RG}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    });
    const patch = await emu.current.arm("PATCH", `${slotId("msdocs-web", "nope")}?${WEB}`, {
      identity: { type: "SystemAssigned" },
    });
    expect(patch.status).toBe(404);
    expect(patch.body.error).toMatchObject({ code: "PatchResourceNotFound", target: "msdocs-web/nope" });
    const noApp = await emu.current.arm("GET", `${slotId("no-such-app")}?${WEB}`);
    expect(noApp.status).toBe(404);
    expect((noApp.body.error as { message: string }).message).toMatch(
      /^The Resource 'Microsoft\.Web\/sites\/no-such-app' under resource group/,
    );
    const old = await emu.current.arm("GET", `${slotId()}?api-version=2014-01-01`);
    expect(old.status).toBe(400);
    expect(old.body.error).toMatchObject({ code: "NoRegisteredProviderFound" });
    expect((old.body.error as { message: string }).message).toContain("for type 'sites/slots'");
    // An old version the spec has is accepted, as for sites.
    expect((await emu.current.arm("GET", `${slotId()}?api-version=2022-03-01`)).status).toBe(200);
    expect(await emu.current.writes()).toEqual([expect.objectContaining({ method: "PATCH", status: 404 })]);
  });

  it("takes role assignments at the slot's scope, and refuses a slot that does not exist", async () => {
    const principalId = await emu.current.enableSystem(slotId());
    await emu.current.assignRole(principalId, "Reader", slotId());
    const listed = await emu.current.arm(
      "GET",
      `${slotId()}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()&api-version=2022-04-01`,
    );
    const scopes = (listed.body.value as { properties: { scope: string } }[]).map((a) => a.properties.scope);
    expect(scopes).toContain(slotId());
    await expect(emu.current.assignRole(principalId, "Reader", slotId("msdocs-web", "nope"))).rejects.toThrow(
      /"code":"ResourceNotFound","message":"The Resource 'Microsoft\.Web\/sites\/slots\/msdocs-web\/nope'/,
    );
  });
});

describe("a slot's host", () => {
  it("has its own token endpoint for its own identity, and App Service's variables for a slot", async () => {
    const before = emu.handle.envFor(slotId());
    expect(before.IDENTITY_ENDPOINT).toBeUndefined();
    expect(before).toMatchObject({
      WEBSITE_SITE_NAME: "msdocs-web",
      WEBSITE_SLOT_NAME: "staging",
      WEBSITE_RESOURCE_GROUP: RG,
    });
    expect(emu.handle.envFor(ids(emu.handle).site("msdocs-web")).WEBSITE_SLOT_NAME).toBe("Production");

    const principalId = await emu.current.enableSystem(slotId());
    const env = emu.handle.envFor(slotId());
    const sitePath = new URL(emu.handle.envFor(ids(emu.handle).site("msdocs-func")).IDENTITY_ENDPOINT ?? "")
      .pathname;
    const path = new URL(env.IDENTITY_ENDPOINT ?? "").pathname;
    expect(path).not.toBe(sitePath);
    const claims = claimsOf(await emu.api.token("https://storage.azure.com", path));
    expect(claims.oid).toBe(principalId);
    expect(String(claims.xms_mirid).toLowerCase()).toBe(slotId().toLowerCase());
    // The site itself has no identity: its endpoint does not answer with the slot's.
    expect(emu.handle.envFor(ids(emu.handle).site("msdocs-web")).IDENTITY_ENDPOINT).toBeUndefined();
  });
});

describe("world slots", () => {
  const world = (slots: unknown): World => ({
    ...structuredClone(DEFAULT_WORLD),
    sites: [{ resourceGroup: RG, name: "app1", slots: slots as never }],
  });
  it("refuses a repeated slot name, 'production' and a bad name, one line each", () => {
    expect(() => validateWorld(world([{ name: "a" }, { name: "A" }]))).toThrow(
      'invalid world: sites[0].slots[1].name: expected a slot name not already in use, got "A"',
    );
    expect(() => validateWorld(world([{ name: "production" }]))).toThrow(/sites\[0\]\.slots\[0\]\.name/);
    expect(() => validateWorld(world([{ name: "-x" }]))).toThrow(
      /^invalid world: sites\[0\]\.slots\[0\]\.name: expected a slot name/,
    );
  });
  it("seeds a slot with an identity of its own", async () => {
    const seeded = await startEmulator({
      blob: false,
      seed: world([
        { name: "blue", identity: { type: "UserAssigned", userAssignedIdentities: ["msdocs-uami"] } },
      ]),
    });
    try {
      const env = seeded.envFor(
        `/subscriptions/${seeded.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Web/sites/app1/slots/blue`,
      );
      expect(env.IDENTITY_ENDPOINT).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/msi\//);
      expect(env.WEBSITE_SLOT_NAME).toBe("blue");
    } finally {
      await seeded.close();
    }
  });
});
