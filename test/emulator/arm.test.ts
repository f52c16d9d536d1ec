import { beforeAll, describe, expect, it } from "vitest";
import { COMPUTE, ids, useEmulator, WEB } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });
let id: ReturnType<typeof ids>;

beforeAll(() => {
  id = ids(emu.handle);
});

describe("authentication", () => {
  it("401s like ARM: missing header, bad token, expired token, wrong audience", async () => {
    const url = `${id.site("msdocs-web")}?${WEB}`;
    const missing = await emu.api.call("GET", url);
    expect(missing.status).toBe(401);
    expect(missing.json.error).toEqual({
      code: "AuthenticationFailed",
      message: "Authentication failed. The 'Authorization' header is missing.",
    });
    expect(missing.headers["www-authenticate"]).toMatch(
      new RegExp(
        `^Bearer authorization_uri="https://login.windows.net/${emu.handle.tenantId}", error="invalid_token"`,
      ),
    );
    const bad = await emu.api.call("GET", url, { Authorization: "Bearer abc.def.ghi" });
    expect(bad.json.error.code).toBe("InvalidAuthenticationToken");

    const expired = (await emu.api.control("POST", "token", { lifetimeSeconds: -60 })).json.access_token;
    const exp = await emu.api.arm("GET", url, undefined, expired);
    expect(exp.status).toBe(401);
    expect(exp.json.error.code).toBe("ExpiredAuthenticationToken");

    const storage = await emu.api.arm(
      "GET",
      url,
      undefined,
      await emu.api.token("https://storage.azure.com"),
    );
    expect(storage.json.error.code).toBe("InvalidAuthenticationTokenAudience");
    expect(storage.json.error.message).toContain(
      "wrong audience or resource 'https://storage.azure.com'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.",
    );
    // Every ARM audience spelling is accepted.
    expect(
      (await emu.api.arm("GET", url, undefined, await emu.api.token("https://management.core.windows.net")))
        .status,
    ).toBe(200);
  });
});

describe("wire rules", () => {
  it("rejects a double slash instead of normalising it", async () => {
    const r = await emu.api.arm("GET", `/${id.site("msdocs-web")}?${WEB}`);
    expect(r.status).toBe(400);
    const inner = await emu.api.arm("GET", `${id.rg}//providers/Microsoft.Web/sites/msdocs-web?${WEB}`);
    expect(inner.status).toBe(400);
  });

  it("requires a supported api-version", async () => {
    const missing = await emu.api.arm("GET", id.site("msdocs-web"));
    expect(missing.status).toBe(400);
    expect(missing.json.error).toEqual({
      code: "MissingApiVersionParameter",
      message: "The api-version query parameter (?api-version=) is required for all requests.",
    });
    const wrong = await emu.api.arm("GET", `${id.site("msdocs-web")}?api-version=2099-01-01`);
    expect(wrong.json.error.code).toBe("NoRegisteredProviderFound");
    expect(wrong.json.error.message).toContain("2025-05-01");
    const rg = await emu.api.arm("GET", `${id.rg}?api-version=2099-01-01`);
    expect(rg.json.error.code).toBe("InvalidApiVersionParameter");
    for (const v of ["2016-08-01", "2022-03-01", "2024-04-01"]) {
      expect((await emu.api.arm("GET", `${id.site("msdocs-web")}?api-version=${v}`)).status).toBe(200);
    }
  });

  it("accepts the api-versions the REST specs publish, old and preview ones (az 2.45's too)", async () => {
    const sub = `/subscriptions/${emu.handle.subscriptionId}`;
    const role = `${sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`;
    const paths: [string, string[]][] = [
      // az 2.45: `az identity show` and `az storage account show` (NoRegisteredProviderFound before).
      [id.uami("msdocs-uami"), ["2022-01-31-preview", "2015-08-31-preview", "2018-11-30"]],
      [id.storage("msdocsstorage"), ["2022-09-01", "2015-06-15", "2018-03-01-preview"]],
      [id.site("msdocs-web"), ["2015-08-01", "2016-08-01"]],
      [id.vm("msdocs-vm"), ["2015-06-15", "2016-04-30-preview", "2017-03-30"]],
      [role, ["2015-07-01", "2018-01-01-preview"]],
      [`${sub}/providers/Microsoft.Authorization/roleAssignments`, ["2015-07-01", "2017-10-01-preview"]],
      [sub, ["2015-11-01", "2016-06-01"]],
      [id.rg, ["2015-11-01", "2017-05-10"]],
    ];
    for (const [path, versions] of paths) {
      for (const v of versions) {
        const r = await emu.api.arm("GET", `${path}?api-version=${v}`);
        expect(r.status, `${path} ${v}: ${r.text}`).toBe(200);
      }
    }
    // A version no spec has: ARM's own error, listing what the type accepts.
    const made = await emu.api.arm("GET", `${id.uami("msdocs-uami")}?api-version=2022-02-30`);
    expect([made.status, made.json.error.code]).toEqual([400, "NoRegisteredProviderFound"]);
    expect(made.json.error.message).toMatch(
      /^No registered resource provider found for location 'eastus' and API version '2022-02-30' for type 'userAssignedIdentities'\. The supported api-versions are '2015-08-31-preview, 2018-11-30, .*, 2026-05-31'\. The supported locations are '.+'\.$/,
    );
    // A Compute version that holds disks only is not a VM version.
    const disks = await emu.api.arm("GET", `${id.vm("msdocs-vm")}?api-version=2020-06-30`);
    expect(disks.json.error.code).toBe("NoRegisteredProviderFound");
    const group = await emu.api.arm("GET", `${id.rg}?api-version=2022-02-30`);
    expect([group.status, group.json.error.code]).toEqual([400, "InvalidApiVersionParameter"]);
    expect(group.json.error.message).toMatch(
      /^The api-version '2022-02-30' is invalid\. The supported versions are '2025-04-01,2024-11-01,.*,2015-11-01'\.$/,
    );
  });

  it("any path under a subscription it does not have is 404 SubscriptionNotFound, before RBAC", async () => {
    const unknown = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
    const under = (path: string) => path.replace(emu.handle.subscriptionId, unknown);
    for (const path of [
      `${under(id.site("msdocs-web"))}?${WEB}`,
      `${under(id.rg)}?api-version=2024-03-01`,
      `${under(id.storage("msdocsstorage"))}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`,
    ]) {
      const r = await emu.api.arm("GET", path);
      expect([r.status, r.json.error], path).toEqual([
        404,
        { code: "SubscriptionNotFound", message: `The subscription '${unknown}' could not be found.` },
      ]);
    }
  });

  it("matches segment names case-insensitively and answers with canonical IDs", async () => {
    const path = id
      .site("msdocs-web")
      .replace("resourceGroups", "resourcegroups")
      .replace("Microsoft.Web", "microsoft.web");
    const r = await emu.api.arm("GET", `${path}?${WEB}`);
    expect(r.status).toBe(200);
    expect(r.json.id).toBe(id.site("msdocs-web"));
    expect(r.json.properties.defaultHostName).toBe("msdocs-web.azurewebsites.net");
    expect(r.json.identity).toBeUndefined();
  });

  it("404s in ARM's order and shapes; 405 for other methods; unknown types", async () => {
    const noRg = await emu.api.arm(
      "GET",
      `${ids(emu.handle).rg}x/providers/Microsoft.Web/sites/msdocs-web?${WEB}`,
    );
    expect(noRg.json.error).toEqual({
      code: "ResourceGroupNotFound",
      message: `Resource group '${"msdocs-sdk-auth-example"}x' could not be found.`,
    });
    const noSite = await emu.api.arm("GET", `${id.site("nope")}?${WEB}`);
    expect(noSite.status).toBe(404);
    expect(noSite.headers["x-ms-failure-cause"]).toBe("gateway");
    expect(noSite.json.error.message).toBe(
      "The Resource 'Microsoft.Web/sites/nope' under resource group 'msdocs-sdk-auth-example' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    );
    const patch = await emu.api.arm("PATCH", `${id.site("nope")}?${WEB}`, {
      identity: { type: "SystemAssigned" },
    });
    expect(patch.json.error).toMatchObject({ code: "PatchResourceNotFound", target: "nope" });
    expect((await emu.api.arm("DELETE", `${id.site("msdocs-web")}?${WEB}`)).status).toBe(405);
    expect((await emu.api.arm("GET", `${id.rg}/providers/Microsoft.Web/widgets/x?${WEB}`)).status).toBe(404);
    expect((await emu.api.arm("GET", `${id.site("bad_name!")}?${WEB}`)).status).toBe(400);
  });

  it("sends ARM's headers and echoes the client's correlation and request IDs", async () => {
    const tok = await emu.api.token();
    const r = await emu.api.call("GET", `${id.site("msdocs-web")}?${WEB}`, {
      Authorization: `Bearer ${tok}`,
      "x-ms-client-request-id": "client-1",
      "x-ms-correlation-request-id": "corr-1",
    });
    expect(r.headers).toMatchObject({
      "x-ms-client-request-id": "client-1",
      "x-ms-correlation-request-id": "corr-1",
      "cache-control": "no-cache",
      "content-type": "application/json; charset=utf-8",
    });
    expect(r.headers["x-ms-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers["x-ms-routing-request-id"]).toMatch(/:corr-1$/);
    expect(r.headers["x-ms-ratelimit-remaining-subscription-reads"]).toMatch(/^\d+$/);
    const w = await emu.api.arm("PATCH", `${id.site("msdocs-web")}?${WEB}`, {});
    expect(w.headers["x-ms-ratelimit-remaining-subscription-writes"]).toMatch(/^\d+$/);
  });

  it("lists subscriptions, resource groups and storage accounts", async () => {
    const subs = await emu.api.arm("GET", "/subscriptions?api-version=2022-12-01");
    expect(subs.json.value).toEqual([
      expect.objectContaining({
        id: `/subscriptions/${emu.handle.subscriptionId}`,
        subscriptionId: emu.handle.subscriptionId,
        tenantId: emu.handle.tenantId,
        displayName: "miauth-emulator",
        state: "Enabled",
        authorizationSource: "RoleBased",
      }),
    ]);
    expect(
      (await emu.api.arm("GET", `/subscriptions/${emu.handle.subscriptionId}?api-version=2020-01-01`)).status,
    ).toBe(200);
    const rg = await emu.api.arm(
      "GET",
      `${id.rg.replace("resourceGroups", "resourcegroups")}?api-version=2021-04-01`,
    );
    expect(rg.json).toMatchObject({ name: "msdocs-sdk-auth-example", location: "eastus" });
    const sa = await emu.api.arm("GET", `${id.storage("msdocsstorage")}?api-version=2023-01-01`);
    expect(sa.json.properties.primaryEndpoints.blob).toBe("https://msdocsstorage.blob.core.windows.net/");
  });
});

describe("identity semantics", () => {
  const site = () => `${id.site("msdocs-func")}?${WEB}`;

  it("type SystemAssigned drops user-assigned identities, as real ARM does", async () => {
    const before = await emu.api.arm("GET", site());
    expect(before.json.identity.type).toBe("UserAssigned");
    expect(Object.keys(before.json.identity.userAssignedIdentities)).toEqual([id.uami("msdocs-uami")]);
    const r = await emu.api.arm("PATCH", site(), { identity: { type: "SystemAssigned" } });
    expect(r.status).toBe(200);
    expect(r.json.identity).toEqual({
      type: "SystemAssigned",
      tenantId: emu.handle.tenantId,
      principalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userAssignedIdentities: null,
    });
  });

  it("merges when the client sends both, accepts the no-space spelling, and keys case-insensitively", async () => {
    const r = await emu.api.arm("PATCH", site(), {
      identity: {
        type: "SystemAssigned,UserAssigned",
        userAssignedIdentities: { [id.uami("msdocs-uami").toLowerCase()]: {} },
      },
    });
    expect(r.json.identity.type).toBe("SystemAssigned, UserAssigned");
    const state = (await emu.api.control("GET", "state")).json;
    const uami = state.userAssignedIdentities[0];
    expect(r.json.identity.userAssignedIdentities).toEqual({
      [id.uami("msdocs-uami")]: { principalId: uami.principalId, clientId: uami.clientId },
    });
    const removed = await emu.api.arm("PATCH", site(), {
      identity: { type: "SystemAssigned", userAssignedIdentities: { [id.uami("msdocs-uami")]: null } },
    });
    expect(removed.json.identity.userAssignedIdentities).toBeNull();
  });

  it("re-enabling after disabling gives a new principal; no identity body leaves it alone", async () => {
    const web = `${id.site("msdocs-web")}?${WEB}`;
    const first = (await emu.api.arm("PATCH", web, { identity: { type: "SystemAssigned" } })).json.identity
      .principalId;
    expect(
      (await emu.api.arm("PATCH", web, { identity: { type: "SystemAssigned" } })).json.identity.principalId,
    ).toBe(first);
    expect((await emu.api.arm("PATCH", web, { tags: { a: "b" } })).json.identity.principalId).toBe(first);
    const none = await emu.api.arm("PATCH", web, { identity: { type: "None" } });
    expect(none.json.identity).toBeUndefined();
    const again = (await emu.api.arm("PATCH", web, { identity: { type: "SystemAssigned" } })).json.identity
      .principalId;
    expect(again).not.toBe(first);
  });

  it("rejects unknown user-assigned identities and bad types with 400", async () => {
    const missing = await emu.api.arm("PATCH", site(), {
      identity: { type: "UserAssigned", userAssignedIdentities: { [id.uami("ghost")]: {} } },
    });
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe("FailedIdentityOperation");
    expect((await emu.api.arm("PATCH", site(), { identity: { type: "Both" } })).status).toBe(400);
    expect(
      (await emu.api.arm("PATCH", site(), { identity: { type: "None" } })).json.identity,
    ).toBeUndefined();
  });
});

describe("VM long-running update", () => {
  it("reports Updating, polls InProgress then Succeeded, and shows the identity", async () => {
    const vm = `${id.vm("msdocs-vm")}?${COMPUTE}`;
    const r = await emu.api.arm("PATCH", vm, { identity: { type: "SystemAssigned" } });
    expect(r.status).toBe(200);
    expect(r.json.properties.provisioningState).toBe("Updating");
    expect(r.json.identity).toMatchObject({ type: "SystemAssigned", tenantId: emu.handle.tenantId });
    expect(r.headers["azure-asyncnotification"]).toBe("Enabled");
    expect(r.headers["retry-after"]).toBe("0");
    const op = String(r.headers["azure-asyncoperation"]);
    expect(op).toMatch(
      new RegExp(
        `^${emu.handle.url}/subscriptions/${emu.handle.subscriptionId}/providers/Microsoft.Compute/locations/eastus/operations/[0-9a-f-]{36}\\?p=[0-9a-f-]{36}&api-version=2026-03-01$`,
      ),
    );
    const opPath = op.slice(emu.handle.url.length);
    const polling = await emu.api.arm("GET", opPath);
    expect(polling.json).toEqual({
      startTime: expect.any(String),
      status: "InProgress",
      name: expect.any(String),
    });
    expect((await emu.api.arm("GET", vm)).json.properties.provisioningState).toBe("Updating");
    await emu.api.control("POST", "clock/advance", { ms: 300 });
    const done = await emu.api.arm("GET", opPath);
    expect(done.json).toMatchObject({ status: "Succeeded", endTime: expect.any(String) });
    const after = await emu.api.arm("GET", vm);
    expect(after.json.properties.provisioningState).toBe("Succeeded");
    expect(after.json.identity.principalId).toBe(r.json.identity.principalId);
  });

  it("an lro-failed fault ends the operation Failed and leaves the identity unchanged", async () => {
    await emu.api.control("POST", "faults", {
      match: { method: "PATCH", path: "virtualMachines/msdocs-vm" },
      fault: { type: "lro-failed" },
      count: 1,
    });
    const vm = `${id.vm("msdocs-vm")}?${COMPUTE}`;
    const r = await emu.api.arm("PATCH", vm, { identity: { type: "SystemAssigned" } });
    expect((await emu.api.control("POST", "operations/settle")).json.value).toHaveLength(1);
    const done = await emu.api.arm(
      "GET",
      String(r.headers["azure-asyncoperation"]).slice(emu.handle.url.length),
    );
    expect(done.json).toMatchObject({
      status: "Failed",
      error: {
        code: "InternalExecutionError",
        message: "An internal execution error occurred. Please retry later.",
      },
    });
    const after = await emu.api.arm("GET", vm);
    expect(after.json.identity).toBeUndefined();
    expect(after.json.properties.provisioningState).toBe("Failed");
  });
});
