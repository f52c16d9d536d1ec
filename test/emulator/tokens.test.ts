import { connect } from "node:tls";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EmulatorHandle, identityEnvFromInfo, startEmulator } from "../../src/emulator/index.js";
import { claimsOf, client, ids } from "./helpers.js";

let emu: EmulatorHandle;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  emu = await startEmulator({ blob: false, lroDelayMs: 200, retryAfterSeconds: 0 });
  api = client(emu);
});
afterAll(() => emu.close());
beforeEach(async () => {
  await api.control("POST", "reset");
});

describe("certificates", () => {
  it("serves a chain that validates against ca.pem for 127.0.0.1 and not without it", async () => {
    const r = await api.call("GET", "/__emulator/state");
    expect(r.status).toBe(200);
    const port = Number(new URL(emu.url).port);
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
    const r = await api.call(
      "GET",
      "/msi/token?api-version=2019-08-01&resource=https://management.azure.com/",
      {
        "X-IDENTITY-HEADER": emu.operatorEnv.IDENTITY_HEADER ?? "",
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
      iss: `https://sts.windows.net/${emu.tenantId}/`,
      idp: `https://sts.windows.net/${emu.tenantId}/`,
      appidacr: "2",
      idtyp: "app",
      tid: emu.tenantId,
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
    expect(claimsOf(await api.token("https://storage.azure.com")).aud).toBe("https://storage.azure.com");
    expect(claimsOf(await api.token("https://storage.azure.com/")).aud).toBe("https://storage.azure.com/");
  });

  it("answers 401 for a wrong or missing header and 400 for missing parameters", async () => {
    const bad = await api.call("GET", "/msi/token?api-version=2019-08-01&resource=x", {
      "X-IDENTITY-HEADER": "nope",
    });
    expect(bad.status).toBe(401);
    expect(bad.json.statusCode).toBe(401);
    expect((await api.call("GET", "/msi/token?api-version=2019-08-01&resource=x")).status).toBe(401);
    const h = { "X-IDENTITY-HEADER": emu.operatorEnv.IDENTITY_HEADER ?? "" };
    expect((await api.call("GET", "/msi/token?api-version=2019-08-01", h)).json.message).toMatch(/resource/);
    expect((await api.call("GET", "/msi/token?resource=x", h)).status).toBe(400);
  });

  it("speaks the older protocols (POST form + Metadata, 2017-09-01 + secret)", async () => {
    const post = await api.call(
      "POST",
      "/msi/token",
      { Metadata: "true", "content-type": "application/x-www-form-urlencoded" },
      "resource=https%3A%2F%2Fmanagement.azure.com%2F",
    );
    expect(post.status).toBe(200);
    expect(post.json).toMatchObject({ token_type: "Bearer", resource: "https://management.azure.com/" });
    expect(post.json.expires_in).toMatch(/^\d+$/);
    const old = await api.call(
      "GET",
      "/msi/token?api-version=2017-09-01&resource=https://management.azure.com/",
      {
        secret: emu.operatorEnv.IDENTITY_HEADER ?? "",
      },
    );
    expect(old.status).toBe(200);
    expect(old.json.expires_on).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d [AP]M \+00:00$/);
  });

  it("gives each resource its own endpoint: system identity, user-assigned by client_id, 400 without identity", async () => {
    const id = ids(emu);
    const vmPath = new URL(emu.envFor(id.vm("msdocs-vm")).IDENTITY_ENDPOINT ?? "").pathname;
    const noIdentity = await api.call(
      "GET",
      `${vmPath}?api-version=2019-08-01&resource=https://storage.azure.com`,
      {
        "X-IDENTITY-HEADER": emu.operatorEnv.IDENTITY_HEADER ?? "",
      },
    );
    expect(noIdentity.status).toBe(400);
    expect(noIdentity.json).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/No Managed Identity/),
    });

    const patched = await api.arm("PATCH", `${id.site("msdocs-web")}?api-version=2025-05-01`, {
      identity: { type: "SystemAssigned" },
    });
    const webPath = new URL(emu.envFor(id.site("msdocs-web")).IDENTITY_ENDPOINT ?? "").pathname;
    const c = claimsOf(await api.token("https://storage.azure.com", webPath));
    expect(c.oid).toBe(patched.json.identity.principalId);
    expect(c.xms_mirid).toBe(id.site("msdocs-web").replace("resourceGroups", "resourcegroups"));

    const state = (await api.control("GET", "state")).json;
    const uami = state.userAssignedIdentities[0];
    const funcPath = new URL(emu.envFor(id.site("msdocs-func")).IDENTITY_ENDPOINT ?? "").pathname;
    const h = { "X-IDENTITY-HEADER": emu.operatorEnv.IDENTITY_HEADER ?? "" };
    const ua = await api.call(
      "GET",
      `${funcPath}?api-version=2019-08-01&resource=r&client_id=${uami.clientId}`,
      h,
    );
    expect(ua.status).toBe(200);
    expect(claimsOf(ua.json.access_token)).toMatchObject({ oid: uami.principalId, appid: uami.clientId });
    expect((await api.call("GET", `${funcPath}?api-version=2019-08-01&resource=r`, h)).status).toBe(400);
    const wrong = await api.call(
      "GET",
      `${funcPath}?api-version=2019-08-01&resource=r&client_id=${emu.tenantId}`,
      h,
    );
    expect(wrong.json.message).toMatch(/No MSI found/);
  });

  it("envFor and identityEnvFromInfo agree, and refuse unknown resources", () => {
    const id = ids(emu).site("msdocs-web");
    expect(identityEnvFromInfo(emu.infoFile, id)).toEqual(emu.envFor(id));
    expect(emu.envFor(id).IDENTITY_ENDPOINT).not.toBe(emu.operatorEnv.IDENTITY_ENDPOINT);
    expect(() => emu.envFor(ids(emu).site("nope"))).toThrow(/no web app/);
    expect(() => identityEnvFromInfo(emu.infoFile, ids(emu).site("nope"))).toThrow(/no web app/);
  });

  it("never records tokens or the identity header in the request log", async () => {
    await api.arm("GET", `${ids(emu).site("msdocs-web")}?api-version=2025-05-01`);
    const log = (await api.control("GET", "requests")).text;
    expect(log).toContain('"kind":"identity"');
    expect(log).not.toContain(emu.operatorEnv.IDENTITY_HEADER);
    expect(log).not.toMatch(/eyJ|resource=/);
  });
});
