// The emulator's workload identity federation: the federated identity credential resource
// (…/userAssignedIdentities/{n}/federatedIdentityCredentials/{name}) and the Entra-like token exchange
// of a GitHub-issued token for an ARM token of the identity that trusts its subject.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { claimsOf, RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });
const V = "api-version=2024-11-30";
const ISSUER = "https://token.actions.githubusercontent.com";
const CLIENT_ID = "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b";
const PRINCIPAL = "c2f4e6a8-1b3d-4f5a-9c7e-2d4f6a8b0c1e";

const base = () =>
  `/subscriptions/${emu.current.sub}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/msdocs-uami/federatedIdentityCredentials`;
const fic = (subject: string, audiences = ["api://AzureADTokenExchange"]) => ({
  properties: { issuer: ISSUER, subject, audiences },
});

/** A token exchange as MSAL sends it: client_credentials with a jwt-bearer client assertion. */
async function exchange(assertion: string, clientId = CLIENT_ID, tenant = emu.handle.tenantId) {
  const body = new URLSearchParams({
    client_id: clientId,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: assertion,
    scope: "https://management.azure.com/.default",
    grant_type: "client_credentials",
  }).toString();
  return emu.api.call(
    "POST",
    `/${tenant}/oauth2/v2.0/token`,
    { "content-type": "application/x-www-form-urlencoded" },
    body,
  );
}

/** The GitHub token a job of octo-org/app on `ref` would have (the emulator writes it to a file). */
async function githubToken(ref: string): Promise<string> {
  const env = await emu.handle.envForWorkflow({ repository: "octo-org/app", ref, clientId: CLIENT_ID });
  return readFileSync(env.AZURE_FEDERATED_TOKEN_FILE ?? "", "utf8");
}

describe("federatedIdentityCredentials", () => {
  it("PUT creates (201) then updates (200); GET, list and DELETE; a second DELETE is 204", async () => {
    const put = await emu.current.arm(
      "PUT",
      `${base()}/main?${V}`,
      fic("repo:octo-org/app:ref:refs/heads/main"),
    );
    expect(put.status).toBe(201);
    expect(put.body).toEqual({
      id: `${base()}/main`,
      name: "main",
      type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
      properties: {
        issuer: ISSUER,
        subject: "repo:octo-org/app:ref:refs/heads/main",
        audiences: ["api://AzureADTokenExchange"],
      },
    });
    const again = await emu.current.arm(
      "PUT",
      `${base()}/main?${V}`,
      fic("repo:octo-org/app:ref:refs/heads/dev"),
    );
    expect(again.status).toBe(200);
    const got = await emu.current.arm("GET", `${base()}/main?${V}`);
    expect(got.body).toMatchObject({ properties: { subject: "repo:octo-org/app:ref:refs/heads/dev" } });
    const list = await emu.current.arm("GET", `${base()}?${V}`);
    expect((list.body.value as unknown[]).length).toBe(1);
    expect((await emu.current.arm("DELETE", `${base()}/main?${V}`)).status).toBe(200);
    expect((await emu.current.arm("DELETE", `${base()}/main?${V}`)).status).toBe(204);
    expect((await emu.current.arm("GET", `${base()}/main?${V}`)).status).toBe(404);
  });

  it("an issuer and subject appear once per identity; at most 20 credentials; bad bodies and names are 400", async () => {
    await emu.current.arm("PUT", `${base()}/one?${V}`, fic("repo:o/r:pull_request"));
    const twin = await emu.current.arm("PUT", `${base()}/two?${V}`, fic("repo:o/r:pull_request"));
    expect(twin.status).toBe(400);
    expect(JSON.stringify(twin.body)).toContain("'one'");
    for (let i = 2; i <= 20; i++)
      expect(
        (await emu.current.arm("PUT", `${base()}/c${i}x?${V}`, fic(`repo:o/r:environment:e${i}`))).status,
      ).toBe(201);
    const over = await emu.current.arm("PUT", `${base()}/c21x?${V}`, fic("repo:o/r:environment:e21"));
    expect(over.status).toBe(400);
    expect(JSON.stringify(over.body)).toContain("20");
    expect((await emu.current.arm("PUT", `${base()}/ab?${V}`, fic("x"))).status).toBe(400);
    expect(
      (await emu.current.arm("PUT", `${base()}/abc?${V}`, { properties: { issuer: ISSUER } })).status,
    ).toBe(400);
  });

  it("an api-version before 2022-01-31-preview and a missing identity are refused", async () => {
    const old = await emu.current.arm("GET", `${base()}?api-version=2018-11-30`);
    expect(old.status).toBe(400);
    const missing = await emu.current.arm("GET", `${base().replace("msdocs-uami", "nosuch")}?${V}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "ResourceNotFound" } });
  });
});

describe("token exchange", () => {
  it("serves the discovery documents MSAL and a verifier read, on loopback", async () => {
    const oidc = await emu.api.call("GET", `/${emu.handle.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(oidc.status).toBe(200);
    expect(oidc.json.token_endpoint).toBe(`${emu.handle.url}/${emu.handle.tenantId}/oauth2/v2.0/token`);
    const jwks = await emu.api.call("GET", "/github/.well-known/jwks");
    expect(jwks.json.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256" });
  });

  it("a GitHub token whose subject a credential trusts gets an ARM token for the identity's principal", async () => {
    await emu.current.arm("PUT", `${base()}/main?${V}`, fic("repo:octo-org/app:ref:refs/heads/main"));
    const r = await exchange(await githubToken("refs/heads/main"));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ token_type: "Bearer", expires_in: expect.any(Number) });
    expect(claimsOf(r.json.access_token)).toMatchObject({
      oid: PRINCIPAL,
      appid: CLIENT_ID,
      aud: "https://management.azure.com",
      tid: emu.handle.tenantId,
    });
  });

  it("another subject is refused with Entra's AADSTS70021 naming it; so is the right one with another audience", async () => {
    await emu.current.arm("PUT", `${base()}/main?${V}`, fic("repo:octo-org/app:ref:refs/heads/main"));
    const r = await exchange(await githubToken("refs/heads/feature"));
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: "invalid_request", error_codes: [70021] });
    expect(r.json.error_description).toMatch(
      /^AADSTS70021: No matching federated identity record found for presented assertion\. Assertion Issuer: 'https:\/\/token\.actions\.githubusercontent\.com'\. Assertion Subject: 'repo:octo-org\/app:ref:refs\/heads\/feature'\. Assertion Audience: 'api:\/\/AzureADTokenExchange'\./,
    );
    await emu.current.arm(
      "PUT",
      `${base()}/main?${V}`,
      fic("repo:octo-org/app:ref:refs/heads/main", ["api://other"]),
    );
    const aud = await exchange(await githubToken("refs/heads/main"));
    expect(aud.json.error_codes).toEqual([70021]);
  });

  it("an unknown client, another tenant and a token not signed by the emulator's GitHub issuer are refused", async () => {
    const token = await githubToken("refs/heads/main");
    const client = await exchange(token, "00000000-0000-4000-8000-000000000000");
    expect(client.json.error_codes).toEqual([700016]);
    const tenant = await exchange(token, CLIENT_ID, "11111111-1111-4111-8111-111111111111");
    expect(tenant.json.error_codes).toEqual([90002]);
    const [h, p] = token.split(".");
    const forged = await exchange(`${h}.${p}.${Buffer.from("not a signature").toString("base64url")}`);
    expect(forged.json.error_codes).toEqual([50027]);
  });
});
