import { connect } from "node:tls";
import { describe, expect, it } from "vitest";
import { identityEnvFromInfo } from "../../src/emulator/index.js";
import { claimsOf, ids, useEmulator } from "../helpers/emulator.js";

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

  it("gives each resource its own endpoint: system identity, user-assigned by client_id, 400 without identity", async () => {
    const id = ids(emu.handle);
    const vmPath = new URL(emu.handle.envFor(id.vm("msdocs-vm")).IDENTITY_ENDPOINT ?? "").pathname;
    const noIdentity = await emu.api.call(
      "GET",
      `${vmPath}?api-version=2019-08-01&resource=https://storage.azure.com`,
      {
        "X-IDENTITY-HEADER": emu.handle.operatorEnv.IDENTITY_HEADER ?? "",
      },
    );
    expect(noIdentity.status).toBe(400);
    expect(noIdentity.json).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/No Managed Identity/),
    });

    const patched = await emu.api.arm("PATCH", `${id.site("msdocs-web")}?api-version=2025-05-01`, {
      identity: { type: "SystemAssigned" },
    });
    const webPath = new URL(emu.handle.envFor(id.site("msdocs-web")).IDENTITY_ENDPOINT ?? "").pathname;
    const c = claimsOf(await emu.api.token("https://storage.azure.com", webPath));
    expect(c.oid).toBe(patched.json.identity.principalId);
    expect(c.xms_mirid).toBe(id.site("msdocs-web").replace("resourceGroups", "resourcegroups"));

    const state = (await emu.api.control("GET", "state")).json;
    const uami = state.userAssignedIdentities[0];
    const funcPath = new URL(emu.handle.envFor(id.site("msdocs-func")).IDENTITY_ENDPOINT ?? "").pathname;
    const h = { "X-IDENTITY-HEADER": emu.handle.operatorEnv.IDENTITY_HEADER ?? "" };
    const ua = await emu.api.call(
      "GET",
      `${funcPath}?api-version=2019-08-01&resource=r&client_id=${uami.clientId}`,
      h,
    );
    expect(ua.status).toBe(200);
    expect(claimsOf(ua.json.access_token)).toMatchObject({ oid: uami.principalId, appid: uami.clientId });
    expect((await emu.api.call("GET", `${funcPath}?api-version=2019-08-01&resource=r`, h)).status).toBe(400);
    const wrong = await emu.api.call(
      "GET",
      `${funcPath}?api-version=2019-08-01&resource=r&client_id=${emu.handle.tenantId}`,
      h,
    );
    expect(wrong.json.message).toMatch(/No MSI found/);
  });

  it("envFor and identityEnvFromInfo agree, and refuse unknown resources", () => {
    const id = ids(emu.handle).site("msdocs-web");
    expect(identityEnvFromInfo(emu.handle.infoFile, id)).toEqual(emu.handle.envFor(id));
    expect(emu.handle.envFor(id).IDENTITY_ENDPOINT).not.toBe(emu.handle.operatorEnv.IDENTITY_ENDPOINT);
    expect(() => emu.handle.envFor(ids(emu.handle).site("nope"))).toThrow(/no web app/);
    expect(() => identityEnvFromInfo(emu.handle.infoFile, ids(emu.handle).site("nope"))).toThrow(
      /no web app/,
    );
  });

  it("never records tokens or the identity header in the request log", async () => {
    await emu.api.arm("GET", `${ids(emu.handle).site("msdocs-web")}?api-version=2025-05-01`);
    const log = (await emu.api.control("GET", "requests")).text;
    expect(log).toContain('"kind":"identity"');
    expect(log).not.toContain(emu.handle.operatorEnv.IDENTITY_HEADER);
    expect(log).not.toMatch(/eyJ|resource=/);
  });
});
