// The emulator's Microsoft Graph reads, on the wire: users by ID or UPN, service principals by appId or
// displayName, Graph's error envelope, the token audience, and the operator's directory permissions.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { useEmulator } from "../helpers/emulator.js";

const ADA = (DEFAULT_WORLD.principals ?? []).find((p) => p.type === "User") ?? { principalId: "" };
const UAMI = DEFAULT_WORLD.userAssignedIdentities?.[0] ?? { principalId: "", clientId: "", name: "" };
const world = {
  ...DEFAULT_WORLD,
  principals: [
    ...(DEFAULT_WORLD.principals ?? []),
    {
      principalId: "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
      type: "ServicePrincipal" as const,
      displayName: "O'Brien's app",
      appId: "6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c",
    },
  ],
};

describe("emulator: Microsoft Graph", () => {
  const emu = useEmulator({ blob: false, seed: world });
  const graph = async (path: string, resource = "https://graph.microsoft.com") =>
    emu.api.call("GET", path, { Authorization: `Bearer ${await emu.api.token(resource)}` });

  it("a user by user principal name (any case) or object ID; $select keeps the fields asked for", async () => {
    for (const key of ["ada@msdocs.onmicrosoft.com", "ADA%40msdocs.onmicrosoft.com", ADA.principalId]) {
      const r = await graph(`/v1.0/users/${key}?$select=id,userPrincipalName`);
      expect(r.status, key).toBe(200);
      expect(r.headers["content-type"]).toMatch(/^application\/json;odata\.metadata=minimal/);
      expect(r.json).toEqual({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName)/$entity",
        id: ADA.principalId,
        userPrincipalName: "ada@msdocs.onmicrosoft.com",
      });
    }
  });

  it("an unknown user is Graph's 404 Request_ResourceNotFound; a group or service principal is no user", async () => {
    for (const key of ["nobody@msdocs.onmicrosoft.com", UAMI.principalId]) {
      const r = await graph(`/v1.0/users/${key}`);
      expect(r.status).toBe(404);
      expect(r.json.error).toMatchObject({
        code: "Request_ResourceNotFound",
        message: `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
      });
      expect(r.json.error.innerError["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("service principals by appId or displayName: a managed identity's appId is its client ID", async () => {
    const byApp = await graph(
      `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${UAMI.clientId.toUpperCase()}'`)}`,
    );
    expect(byApp.status).toBe(200);
    expect(byApp.json.value).toEqual([
      expect.objectContaining({
        id: UAMI.principalId,
        appId: UAMI.clientId,
        displayName: UAMI.name,
        servicePrincipalType: "ManagedIdentity",
      }),
    ]);
    const quoted = await graph(
      `/v1.0/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'O''Brien''s app'")}&$select=id`,
    );
    expect(quoted.json).toEqual({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id)",
      value: [{ id: "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b" }],
    });
    const none = await graph(
      `/v1.0/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'nope'")}`,
    );
    expect(none.json.value).toEqual([]);
  });

  it("a filter it does not model is a 400 (a guess at Graph's text)", async () => {
    const r = await graph(
      `/v1.0/servicePrincipals?$filter=${encodeURIComponent("startswith(displayName,'a')")}`,
    );
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("Request_UnsupportedQuery");
  });

  it("an ARM token, or none, is refused with 401 InvalidAuthenticationToken", async () => {
    const arm = await graph("/v1.0/users/ada@msdocs.onmicrosoft.com", "https://management.azure.com/");
    expect(arm.status).toBe(401);
    expect(arm.json.error).toMatchObject({
      code: "InvalidAuthenticationToken",
      message: "Access token validation failure. Invalid audience.",
    });
    const none = await emu.api.call("GET", "/v1.0/users/ada@msdocs.onmicrosoft.com");
    expect(none.status).toBe(401);
    expect(none.json.error).toMatchObject({
      code: "InvalidAuthenticationToken",
      message: "Access token is empty.",
    });
  });

  it("reads are logged as kind graph", async () => {
    await graph("/v1.0/users/ada@msdocs.onmicrosoft.com");
    const log = await emu.current.requests();
    expect(log.filter((r) => r.kind === "graph").map((r) => r.path)).toEqual([
      "/v1.0/users/ada@msdocs.onmicrosoft.com",
    ]);
  });
});

describe("emulator: Microsoft Graph without directory permissions", () => {
  const emu = useEmulator({
    blob: false,
    seed: { ...DEFAULT_WORLD, operator: { ...DEFAULT_WORLD.operator, graphPermissions: ["User.Read.All"] } },
  });

  it("each read needs its own permission: 403 Authorization_RequestDenied", async () => {
    const token = await emu.api.token("https://graph.microsoft.com");
    const get = (path: string) => emu.api.call("GET", path, { Authorization: `Bearer ${token}` });
    expect((await get("/v1.0/users/ada@msdocs.onmicrosoft.com")).status).toBe(200);
    const sp = await get(
      `/v1.0/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'msdocs-ci'")}`,
    );
    expect(sp.status).toBe(403);
    expect(sp.json.error).toMatchObject({
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
    });
  });
});
