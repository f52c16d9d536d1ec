import { get } from "node:http";
import { connect } from "node:tls";
import { describe, expect, it } from "vitest";
import { identityEnvFromInfo } from "../../src/emulator/index.js";
import { claimsOf, ids, RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false, lroDelayMs: 200 });

describe("certificates", () => {
  it("serves a chain that validates against ca.pem for 127.0.0.1 and not without it", async () => {
    const r = await emu.api.call("GET", "/__emulator/state");
    expect(r.status).toBe(200);
    const port = Number(new URL(emu.handle.url).port);
    const err = await new Promise<Error>((resolve) => {
      const s = connect({ host: "127.0.0.1", port, servername: undefined }, () =>
        resolve(new Error("connected")),
      );
      s.on("error", resolve);
    });
    expect(String((err as NodeJS.ErrnoException).code)).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/,
    );
  });
});

describe("token service", () => {
  it("issues operator tokens with managed-identity claims", async () => {
    const r = await emu.api.call(
      "GET",
      "/msi/token?api-version=2019-08-01&resource=https://management.azure.com/",
      {
        "X-IDENTITY-HEADER": emu.handle.operatorEnv.IDENTITY_HEADER ?? "",
      },
    );
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual([
      "access_token",
      "client_id",
      "expires_on",
      "resource",
      "token_type",
    ]);
    expect(r.json.expires_on).toMatch(/^\d+$/);
    const c = claimsOf(r.json.access_token);
    expect(c).toMatchObject({
      aud: "https://management.azure.com/",
      iss: `https://sts.windows.net/${emu.handle.tenantId}/`,
      idp: `https://sts.windows.net/${emu.handle.tenantId}/`,
      appidacr: "2",
      idtyp: "app",
      tid: emu.handle.tenantId,
      ver: "1.0",
      appid: r.json.client_id,
    });
    expect(c.oid).toBe(c.sub);
    expect(String(c.xms_mirid)).toMatch(
      /\/resourcegroups\/miauth-operator\/providers\/Microsoft\.ManagedIdentity\//,
    );
    expect(Number(c.exp) - Number(c.iat)).toBe(3600);
  });

  it("keeps the storage audience exactly as requested", async () => {
    expect(claimsOf(await emu.api.token("https://storage.azure.com")).aud).toBe("https://storage.azure.com");
    expect(claimsOf(await emu.api.token("https://storage.azure.com/")).aud).toBe(
      "https://storage.azure.com/",
    );
  });

  it("answers 401 for a wrong or missing header and 400 for missing parameters", async () => {
    const bad = await emu.api.call("GET", "/msi/token?api-version=2019-08-01&resource=x", {
      "X-IDENTITY-HEADER": "nope",
    });
    expect(bad.status).toBe(401);
    expect(bad.json.statusCode).toBe(401);
    expect((await emu.api.call("GET", "/msi/token?api-version=2019-08-01&resource=x")).status).toBe(401);
    const h = { "X-IDENTITY-HEADER": emu.handle.operatorEnv.IDENTITY_HEADER ?? "" };
    expect((await emu.api.call("GET", "/msi/token?api-version=2019-08-01", h)).json.message).toMatch(
      /resource/,
    );
    expect((await emu.api.call("GET", "/msi/token?resource=x", h)).status).toBe(400);
  });

  it("speaks the older protocols (POST form + Metadata, 2017-09-01 + secret)", async () => {
    const post = await emu.api.call(
      "POST",
      "/msi/token",
      { Metadata: "true", "content-type": "application/x-www-form-urlencoded" },
      "resource=https%3A%2F%2Fmanagement.azure.com%2F",
    );
    expect(post.status).toBe(200);
    expect(post.json).toMatchObject({ token_type: "Bearer", resource: "https://management.azure.com/" });
    expect(post.json.expires_in).toMatch(/^\d+$/);
    const old = await emu.api.call(
      "GET",
      "/msi/token?api-version=2017-09-01&resource=https://management.azure.com/",
      {
        secret: emu.handle.operatorEnv.IDENTITY_HEADER ?? "",
      },
    );
    expect(old.status).toBe(200);
    expect(old.json.expires_on).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d [AP]M \+00:00$/);
  });

  it("gives each site its own endpoint while it has an identity: system, user-assigned by client_id, Azure's 400s", async () => {
    const id = ids(emu.handle);
    const h = { "X-IDENTITY-HEADER": emu.handle.operatorEnv.IDENTITY_HEADER ?? "" };
    // No identity: App Service sets no endpoint variables, only its WEBSITE_* ones.
    const before = emu.handle.envFor(id.site("msdocs-web"));
    expect(before.IDENTITY_ENDPOINT).toBeUndefined();
    expect(before.IDENTITY_HEADER).toBeUndefined();
    expect(before).toMatchObject({
      WEBSITE_SITE_NAME: "msdocs-web",
      WEBSITE_RESOURCE_GROUP: RG,
      WEBSITE_OWNER_NAME: `${emu.handle.subscriptionId}+${RG}-eastuswebspace`,
    });
    expect(before.FUNCTIONS_EXTENSION_VERSION).toBeUndefined();

    const principalId = await emu.current.enableSystem(id.site("msdocs-web"));
    const env = emu.handle.envFor(id.site("msdocs-web"));
    expect(env.IDENTITY_HEADER).toBe(emu.handle.operatorEnv.IDENTITY_HEADER);
    const webPath = new URL(env.IDENTITY_ENDPOINT ?? "").pathname;
    const c = claimsOf(await emu.api.token("https://storage.azure.com", webPath));
    expect(c.oid).toBe(principalId);
    expect(c.xms_mirid).toBe(id.site("msdocs-web").replace("resourceGroups", "resourcegroups"));

    // Asked after the identity is gone (an env taken earlier): the emulator's own 400.
    await emu.api.arm("PATCH", `${id.site("msdocs-web")}?api-version=2025-05-01`, {
      identity: { type: "None" },
    });
    expect(emu.handle.envFor(id.site("msdocs-web")).IDENTITY_ENDPOINT).toBeUndefined();
    const gone = await emu.api.call("GET", `${webPath}?api-version=2019-08-01&resource=r`, h);
    expect([gone.status, gone.json.message]).toEqual([
      400,
      "No Managed Identity found for the given resource.",
    ]);

    // Only a user-assigned identity: the endpoint is there; without client_id, Azure's 400.
    const state = (await emu.api.control("GET", "state")).json;
    const uami = state.userAssignedIdentities[0];
    const funcEnv = emu.handle.envFor(id.site("msdocs-func"));
    expect(funcEnv.FUNCTIONS_EXTENSION_VERSION).toBe("~4");
    const funcPath = new URL(funcEnv.IDENTITY_ENDPOINT ?? "").pathname;
    const ua = await emu.api.call(
      "GET",
      `${funcPath}?api-version=2019-08-01&resource=r&client_id=${uami.clientId}`,
      h,
    );
    expect(ua.status).toBe(200);
    expect(claimsOf(ua.json.access_token)).toMatchObject({ oid: uami.principalId, appid: uami.clientId });
    const unnamed = await emu.api.call("GET", `${funcPath}?api-version=2019-08-01&resource=r`, h);
    expect(unnamed.status).toBe(400);
    expect(unnamed.json).toEqual({
      statusCode: 400,
      message: "Unable to load the proper Managed Identity.",
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const wrong = await emu.api.call(
      "GET",
      `${funcPath}?api-version=2019-08-01&resource=r&client_id=${emu.handle.tenantId}`,
      h,
    );
    expect(wrong.json.message).toBe("No MSI found for specified ClientId/ResourceId.");
  });

  it("envFor and identityEnvFromInfo agree, and refuse unknown resources", async () => {
    const id = ids(emu.handle);
    for (const host of [id.site("msdocs-web"), id.site("msdocs-func"), id.vm("msdocs-vm")]) {
      expect(await identityEnvFromInfo(emu.handle.infoFile, host)).toEqual(emu.handle.envFor(host));
    }
    expect(
      await identityEnvFromInfo(emu.handle.infoFile, { kind: "vm", name: "MSDOCS-VM", resourceGroup: RG }),
    ).toEqual(emu.handle.envFor(id.vm("msdocs-vm")));
    await expect(
      identityEnvFromInfo(emu.handle.infoFile, { kind: "webapp", name: "msdocs-func", resourceGroup: RG }),
    ).rejects.toThrow(/is a function app: use --functionapp/);
    expect(() => emu.handle.envFor(id.site("nope"))).toThrow(/no web app/);
    await expect(identityEnvFromInfo(emu.handle.infoFile, id.site("nope"))).rejects.toThrow(/no web app/);
  });

  it("never records tokens or the identity header in the request log", async () => {
    await emu.api.arm("GET", `${ids(emu.handle).site("msdocs-web")}?api-version=2025-05-01`);
    const log = (await emu.api.control("GET", "requests")).text;
    expect(log).toContain('"kind":"identity"');
    expect(log).not.toContain(emu.handle.operatorEnv.IDENTITY_HEADER);
    expect(log).not.toMatch(/eyJ|resource=/);
  });
});

describe("IMDS (a VM's token service, plain HTTP on loopback)", () => {
  const imds = (path: string, headers: Record<string, string> = { Metadata: "true" }) => {
    const host = emu.handle.envFor(ids(emu.handle).vm("msdocs-vm")).AZURE_POD_IDENTITY_AUTHORITY_HOST;
    return new Promise<{ status: number; json: Record<string, unknown> }>((ok, fail) => {
      get(`${host}${path}`, { headers }, (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => ok({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      }).on("error", fail);
    });
  };
  const TOKEN =
    "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fstorage.azure.com";

  it("a VM's environment points at its own IMDS port, with no App Service variables", () => {
    const env = emu.handle.envFor(ids(emu.handle).vm("msdocs-vm"));
    expect(env.AZURE_POD_IDENTITY_AUTHORITY_HOST).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.AZURE_POD_IDENTITY_AUTHORITY_HOST).toBe(
      emu.handle.imds[ids(emu.handle).vm("msdocs-vm").toLowerCase()],
    );
    for (const k of ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "WEBSITE_SITE_NAME", "WEBSITE_RESOURCE_GROUP"])
      expect(env[k], k).toBeUndefined();
  });

  it("answers Azure's 400s: no Metadata header, no identity; then the VM's own token (with MSAL's trailing slash)", async () => {
    expect(await imds(TOKEN, {})).toEqual({
      status: 400,
      json: { error: "invalid_request", error_description: "Required metadata header not specified" },
    });
    expect(await imds(TOKEN)).toEqual({
      status: 400,
      json: { error: "invalid_request", error_description: "Identity not found" },
    });
    const vm = ids(emu.handle).vm("msdocs-vm");
    const principalId = await emu.current.enableSystem(vm);
    const r = await imds(TOKEN.replace("token?", "token/?"));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ resource: "https://storage.azure.com", token_type: "Bearer" });
    expect(claimsOf(String(r.json.access_token))).toMatchObject({
      oid: principalId,
      aud: "https://storage.azure.com",
      xms_mirid: vm.replace("resourceGroups", "resourcegroups"),
    });
    const log = (await emu.api.control("GET", "requests")).json.value;
    expect(log.at(-1)).toMatchObject({ kind: "identity", status: 200, principalId });
  });

  it("serves instance metadata: the VM's name and resource group", async () => {
    const r = await imds("/metadata/instance?api-version=2021-02-01");
    expect(r.status).toBe(200);
    expect(r.json.compute).toMatchObject({
      name: "msdocs-vm",
      resourceGroupName: RG,
      subscriptionId: emu.handle.subscriptionId,
    });
    expect((await imds("/metadata/instance?api-version=2021-02-01", {})).status).toBe(400);
  });
});
