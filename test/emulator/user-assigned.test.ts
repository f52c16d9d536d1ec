// Microsoft.ManagedIdentity userAssignedIdentities in the emulator (CreateOrUpdate 201/200, Delete
// 200/204, lists), and how the identity endpoints pick a user-assigned identity: App Service 2019-08-01
// by client_id / principal_id (object_id) / mi_res_id, IMDS by client_id / object_id / msi_res_id.
import { get } from "node:http";
import { describe, expect, it } from "vitest";
import { claimsOf, ids, RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });
const MSI = "api-version=2024-11-30";
const WEB = "api-version=2025-05-01";
const COMPUTE = "api-version=2024-11-01";

function uami(name: string) {
  return `${emu.current.rg()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

function imds(vm: string, query: string) {
  const host = emu.handle.envFor(vm).AZURE_POD_IDENTITY_AUTHORITY_HOST;
  return new Promise<{ status: number; json: Record<string, unknown> }>((ok, fail) => {
    get(
      `${host}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=r${query}`,
      { headers: { Metadata: "true" } },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => ok({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    ).on("error", fail);
  });
}

describe("userAssignedIdentities", () => {
  it("PUT creates (201) with a new principal, a re-PUT answers 200 with the same one, another location is refused", async () => {
    const made = await emu.current.arm("PUT", `${uami("made")}?${MSI}`, { location: "eastus" });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      id: uami("made"),
      name: "made",
      location: "eastus",
      type: "Microsoft.ManagedIdentity/userAssignedIdentities",
      properties: { tenantId: emu.handle.tenantId },
    });
    const props = made.body.properties as { principalId: string; clientId: string };
    expect(props.principalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(props.clientId).not.toBe(props.principalId);
    const again = await emu.current.arm("PUT", `${uami("made")}?${MSI}`, { location: "eastus" });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(made.body);
    const moved = await emu.current.arm("PUT", `${uami("made")}?${MSI}`, { location: "westus" });
    expect([moved.status, (moved.body.error as { code: string }).code]).toEqual([
      400,
      "InvalidResourceLocation",
    ]);
    const noLocation = await emu.current.arm("PUT", `${uami("other")}?${MSI}`, {});
    expect(noLocation.status).toBe(400);
    const badName = await emu.current.arm("PUT", `${uami("x")}?${MSI}`, { location: "eastus" });
    expect([badName.status, (badName.body.error as { code: string }).code]).toEqual([
      400,
      "InvalidResourceName",
    ]);

    const list = await emu.current.arm(
      "GET",
      `${emu.current.rg()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?${MSI}`,
    );
    expect((list.body.value as { name: string }[]).map((u) => u.name).sort()).toEqual([
      "made",
      "msdocs-uami",
    ]);
  });

  it("DELETE answers 200, then 204 for an identity that is not there; a missing group is 404", async () => {
    await emu.current.arm("PUT", `${uami("made")}?${MSI}`, { location: "eastus" });
    expect((await emu.current.arm("DELETE", `${uami("made")}?${MSI}`)).status).toBe(200);
    expect((await emu.current.arm("GET", `${uami("made")}?${MSI}`)).status).toBe(404);
    expect((await emu.current.arm("DELETE", `${uami("made")}?${MSI}`)).status).toBe(204);
    const noGroup = uami("made").replace(RG, "no-such-group");
    expect((await emu.current.arm("DELETE", `${noGroup}?${MSI}`)).status).toBe(404);
  });

  it("lists sites, slots and VMs of the subscription with their identities", async () => {
    const sites = await emu.current.arm(
      "GET",
      `/subscriptions/${emu.current.sub}/providers/Microsoft.Web/sites?${WEB}`,
    );
    expect(sites.status).toBe(200);
    const func = (sites.body.value as { id: string; identity?: { userAssignedIdentities?: object } }[]).find(
      (s) => s.id === emu.current.siteId("msdocs-func"),
    );
    expect(Object.keys(func?.identity?.userAssignedIdentities ?? {})).toEqual([uami("msdocs-uami")]);
    const slots = await emu.current.arm("GET", `${emu.current.siteId("msdocs-web")}/slots?${WEB}`);
    expect((slots.body.value as { id: string }[]).map((s) => s.id)).toEqual([
      `${emu.current.siteId("msdocs-web")}/slots/staging`,
    ]);
    const vms = await emu.current.arm(
      "GET",
      `/subscriptions/${emu.current.sub}/providers/Microsoft.Compute/virtualMachines?${COMPUTE}`,
    );
    expect((vms.body.value as { id: string }[]).map((v) => v.id)).toEqual([emu.current.vmId("msdocs-vm")]);
  });
});

describe("choosing a user-assigned identity at the identity endpoints", () => {
  const U = {
    principalId: "c2f4e6a8-1b3d-4f5a-9c7e-2d4f6a8b0c1e",
    clientId: "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b",
  };

  it("App Service 2019-08-01: client_id, principal_id, object_id and mi_res_id; msi_res_id is IMDS's, not a selector here", async () => {
    const env = emu.handle.envFor(ids(emu.handle).site("msdocs-func"));
    const path = new URL(env.IDENTITY_ENDPOINT ?? "").pathname;
    const h = { "X-IDENTITY-HEADER": env.IDENTITY_HEADER ?? "" };
    const ask = (q: string) => emu.api.call("GET", `${path}?api-version=2019-08-01&resource=r${q}`, h);
    for (const q of [
      `&client_id=${U.clientId}`,
      `&principal_id=${U.principalId}`,
      `&object_id=${U.principalId}`,
      `&mi_res_id=${encodeURIComponent(uami("msdocs-uami"))}`,
    ]) {
      const r = await ask(q);
      expect(r.status, q).toBe(200);
      expect(claimsOf(r.json.access_token)).toMatchObject({ oid: U.principalId, appid: U.clientId });
      expect(r.json.client_id).toBe(U.clientId);
    }
    const imdsName = await ask(`&msi_res_id=${encodeURIComponent(uami("msdocs-uami"))}`);
    expect([imdsName.status, imdsName.json.message]).toEqual([
      400,
      "Unable to load the proper Managed Identity.",
    ]);
    const other = await ask(`&principal_id=${emu.handle.tenantId}`);
    expect([other.status, other.json.message]).toEqual([
      400,
      "No MSI found for specified ClientId/ResourceId.",
    ]);
  });

  it("IMDS: client_id, object_id and msi_res_id; without one, the system identity; not attached: Identity not found", async () => {
    const vm = ids(emu.handle).vm("msdocs-vm");
    const system = await emu.current.enableSystem(vm);
    const r = await emu.current.arm("PATCH", `${vm}?api-version=2026-03-01`, {
      identity: {
        type: "SystemAssigned, UserAssigned",
        userAssignedIdentities: { [uami("msdocs-uami")]: {} },
      },
    });
    expect(r.status).toBeLessThan(300);
    await emu.current.settle();
    for (const q of [
      `&client_id=${U.clientId}`,
      `&object_id=${U.principalId}`,
      `&msi_res_id=${encodeURIComponent(uami("msdocs-uami"))}`,
    ]) {
      const t = await imds(vm, q);
      expect(t.status, q).toBe(200);
      expect(claimsOf(String(t.json.access_token)).oid, q).toBe(U.principalId);
    }
    // App Service's names are not IMDS's: ignored, so the VM's system identity answers.
    const appServiceName = await imds(vm, `&mi_res_id=${encodeURIComponent(uami("msdocs-uami"))}`);
    expect(claimsOf(String(appServiceName.json.access_token)).oid).toBe(system);
    expect(claimsOf(String((await imds(vm, "")).json.access_token)).oid).toBe(system);
    const notOurs = await imds(vm, `&client_id=${emu.handle.tenantId}`);
    expect(notOurs).toEqual({
      status: 400,
      json: { error: "invalid_request", error_description: "Identity not found" },
    });
  });
});
