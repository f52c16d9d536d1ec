// doctor's federation report when Entra refuses the job's token and ARM can be asked (a credential other
// than the refused one reaches it): the subjects the identity accepts, listed through @azure/arm-msi.
import { readFileSync } from "node:fs";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { createArmClients } from "../../src/azure/clients.js";
import { CLOUDS } from "../../src/azure/clouds.js";
import { federationReport } from "../../src/azure/doctor/federation.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });
const CLIENT_ID = "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b";

describe("doctor's federation report, refused", () => {
  it("names the subject GitHub sent and the subjects the identity accepts", async () => {
    const base = `/subscriptions/${emu.current.sub}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/msdocs-uami/federatedIdentityCredentials`;
    for (const [name, subject] of [
      ["main", "repo:octo-org/app:ref:refs/heads/main"],
      ["prod", "repo:octo-org/app:environment:production"],
    ]) {
      const put = await emu.current.arm("PUT", `${base}/${name}?api-version=2024-11-30`, {
        properties: {
          issuer: "https://token.actions.githubusercontent.com",
          subject,
          audiences: ["api://AzureADTokenExchange"],
        },
      });
      expect(put.status).toBe(201);
    }
    const env = await emu.handle.envForWorkflow({ repository: "octo-org/app", ref: "refs/heads/dev" });
    // Entra's real refusal of that token, from the emulator's token endpoint.
    const refusal = await emu.api.call(
      "POST",
      `/${emu.handle.tenantId}/oauth2/v2.0/token`,
      { "content-type": "application/x-www-form-urlencoded" },
      new URLSearchParams({
        client_id: CLIENT_ID,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: readFileSync(env.AZURE_FEDERATED_TOKEN_FILE ?? "", "utf8"),
        scope: "https://management.azure.com/.default",
        grant_type: "client_credentials",
      }).toString(),
    );
    expect(refusal.status).toBe(400);
    // ARM reached with the operator's token (the emulator's CA given per request: no NODE_EXTRA_CA_CERTS here).
    const token = ((await emu.current.control("POST", "token", {})) as { access_token: string }).access_token;
    const ca: PipelinePolicy = {
      name: "test-ca",
      sendRequest: (req, next) => {
        req.tlsSettings = { ca: readFileSync(emu.handle.caPath, "utf8") };
        return next(req);
      },
    };
    const arm = createArmClients({
      credential: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
      cloud: CLOUDS.azurecloud ?? (undefined as never),
      armEndpoint: emu.handle.url,
      policies: [ca],
      userAgent: "miauth-test",
    });
    const report = await federationReport({
      env,
      attempt: { name: "WorkloadIdentityCredential", status: "failed", reason: "refused", ms: 1 },
      error: new Error(String(refusal.json.error_description)),
      winnerClaims: null,
      subscriptionId: () => emu.current.sub,
      arm: async () => arm,
      signal: new AbortController().signal,
    });
    expect(report).toMatchObject({
      clientId: CLIENT_ID,
      subject: "repo:octo-org/app:ref:refs/heads/dev",
      refused: { code: "AADSTS70021" },
      accepts: ["repo:octo-org/app:ref:refs/heads/main", "repo:octo-org/app:environment:production"],
      acceptsUnknown: null,
    });
  });
});
