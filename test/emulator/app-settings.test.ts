// A site's app settings over the wire: POST …/config/appsettings/list reads the dictionary, PUT
// …/config/appsettings replaces it whole (as ARM does); listing is a POST action a Reader does not
// hold; the app sees every setting as an environment variable on its host.
import { describe, expect, it } from "vitest";
import type { World } from "../../src/emulator/world.js";
import { ids, RG, useEmulator, WEB } from "../helpers/emulator.js";

const world: World = {
  tenantId: "8d3c5a1e-6f2b-4c7d-9e0a-1b2c3d4e5f60",
  subscriptions: [{ subscriptionId: "0b1f6471-1bf0-4dda-aec3-cb9272f09590", displayName: "miauth-emulator" }],
  operator: {
    principalId: "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5",
    clientId: "3a9e7c51-2b4d-4e6f-8a1c-5d7e9f0b2c4d",
  },
  resourceGroups: [{ name: RG, location: "eastus" }],
  sites: [
    {
      resourceGroup: RG,
      name: "msdocs-web",
      kind: "app",
      appSettings: { ONE: "1", "Two.Dots": "a=b;c" },
      slots: [{ name: "staging", appSettings: { SLOT_ONLY: "s" } }],
    },
    { resourceGroup: RG, name: "other-web", kind: "app" },
  ],
  roleAssignments: [
    {
      principalId: "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5",
      scope: "/subscriptions/{subscriptionId}",
      roleDefinitionName: "Owner",
    },
  ],
};
const emu = useEmulator({ blob: false, seed: world });
const site = (name = "msdocs-web") => ids(emu.handle).site(name);

describe("app settings", () => {
  it("list returns the whole dictionary as Microsoft.Web/sites/config", async () => {
    const r = await emu.api.arm("POST", `${site()}/config/appsettings/list?${WEB}`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      id: `${site()}/config/appsettings`,
      name: "appsettings",
      type: "Microsoft.Web/sites/config",
      kind: "app",
      properties: { ONE: "1", "Two.Dots": "a=b;c" },
    });
    const empty = await emu.api.arm("POST", `${site("other-web")}/config/appsettings/list?${WEB}`);
    expect(empty.json.properties).toEqual({});
  });

  it("PUT replaces the whole dictionary: a key left out is gone", async () => {
    const put = await emu.api.arm("PUT", `${site()}/config/appsettings?${WEB}`, { properties: { NEW: "x" } });
    expect([put.status, put.json.properties]).toEqual([200, { NEW: "x" }]);
    const r = await emu.api.arm("POST", `${site()}/config/appsettings/list?${WEB}`);
    expect(r.json.properties).toEqual({ NEW: "x" });
    expect((await emu.current.writes()).map((w) => `${w.method} ${w.path}`)).toEqual([
      `PUT ${site()}/config/appsettings`,
    ]);
  });

  it("a value that is not a string, a missing site, a missing api-version: ARM's errors, nothing changes", async () => {
    const bad = await emu.api.arm("PUT", `${site()}/config/appsettings?${WEB}`, { properties: { A: 1 } });
    expect([bad.status, bad.json.error.code]).toEqual([400, "BadRequest"]);
    const missing = await emu.api.arm("POST", `${site("nope")}/config/appsettings/list?${WEB}`);
    expect([missing.status, missing.json.error.code]).toEqual([404, "ResourceNotFound"]);
    const noVersion = await emu.api.arm("POST", `${site()}/config/appsettings/list`);
    expect(noVersion.status).toBe(400);
    const r = await emu.api.arm("POST", `${site()}/config/appsettings/list?${WEB}`);
    expect(r.json.properties).toEqual({ ONE: "1", "Two.Dots": "a=b;c" });
  });

  it("an identity without a role may not list them (a POST action, not */read)", async () => {
    const principal = await emu.current.enableSystem(site("other-web"));
    await emu.current.assignRole(principal, "Reader");
    const env = emu.handle.envFor(site("other-web"));
    const path = new URL(env.IDENTITY_ENDPOINT ?? "").pathname;
    const token = await emu.api.token("https://management.azure.com/", path);
    const r = await emu.api.arm("POST", `${site()}/config/appsettings/list?${WEB}`, undefined, token);
    expect([r.status, r.json.error.code]).toEqual([403, "AuthorizationFailed"]);
    expect(r.json.error.message).toContain("Microsoft.Web/sites/config/list/action");
  });

  it("a deployment slot has settings of its own: writing them leaves the app's alone, and the reverse", async () => {
    const slot = `${site()}/slots/staging/config/appsettings`;
    const r = await emu.api.arm("POST", `${slot}/list?${WEB}`);
    expect(r.json).toMatchObject({
      id: slot,
      type: "Microsoft.Web/sites/slots/config",
      properties: { SLOT_ONLY: "s" },
    });
    await emu.api.arm("PUT", `${slot}?${WEB}`, { properties: { SLOT_ONLY: "t" } });
    expect((await emu.api.arm("POST", `${site()}/config/appsettings/list?${WEB}`)).json.properties).toEqual({
      ONE: "1",
      "Two.Dots": "a=b;c",
    });
    await emu.api.arm("PUT", `${site()}/config/appsettings?${WEB}`, { properties: {} });
    expect((await emu.api.arm("POST", `${slot}/list?${WEB}`)).json.properties).toEqual({ SLOT_ONLY: "t" });
    const missing = await emu.api.arm("POST", `${site()}/slots/nope/config/appsettings/list?${WEB}`);
    expect(missing.status).toBe(404);
  });

  it("the app sees each setting as an environment variable; the platform's own names stay the platform's", async () => {
    await emu.api.arm("PUT", `${site()}/config/appsettings?${WEB}`, {
      properties: { AZURE_STORAGE_ACCOUNT_NAME: "fromsetting", WEBSITE_SITE_NAME: "spoofed", ONE: "1" },
    });
    const env = emu.handle.envFor(site());
    expect(env).toMatchObject({
      ONE: "1",
      WEBSITE_SITE_NAME: "msdocs-web",
      AZURE_STORAGE_ACCOUNT_NAME: "fromsetting",
    });
  });
});
