// doctor's pure parts: the chain per AZURE_TOKEN_CREDENTIALS, walking it as ChainedTokenCredential does,
// the host from its variables, who a token's claims name, and when a suggestion is made.
import type { TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { CHAIN, type CredentialName, chainFor, walkChain } from "../../src/azure/doctor/chain.js";
import { detectHost } from "../../src/azure/doctor/host.js";
import { type DoctorReport, suggestionsFor, whoFromClaims } from "../../src/azure/doctor/index.js";

const named = (name: string, message = name) => Object.assign(new Error(message), { name });
const ok: TokenCredential = {
  getToken: async () => ({ token: "x.e30.y", expiresOnTimestamp: Date.now() + 3600_000 }),
};
const fails = (err: Error): TokenCredential => ({ getToken: () => Promise.reject(err) });

describe("the chain", () => {
  it("is the SDK's order, narrowed by AZURE_TOKEN_CREDENTIALS (any case)", () => {
    expect(chainFor({}).names).toEqual([...CHAIN]);
    expect(chainFor({}).source).toBe("the full DefaultAzureCredential chain");
    expect(chainFor({ AZURE_TOKEN_CREDENTIALS: "prod" }).names).toEqual([
      "EnvironmentCredential",
      "WorkloadIdentityCredential",
      "ManagedIdentityCredential",
    ]);
    expect(chainFor({ AZURE_TOKEN_CREDENTIALS: " Dev " }).names).toEqual([
      "VisualStudioCodeCredential",
      "AzureCliCredential",
      "AzurePowerShellCredential",
      "AzureDeveloperCliCredential",
    ]);
    expect(chainFor({ AZURE_TOKEN_CREDENTIALS: "azureclicredential" })).toEqual({
      names: ["AzureCliCredential"],
      source: "AZURE_TOKEN_CREDENTIALS=azureclicredential",
    });
  });

  it("goes on after an unavailable credential, stops at the first that works, and says so", async () => {
    const build = (n: CredentialName) =>
      n === "EnvironmentCredential"
        ? fails(named("CredentialUnavailableError", "no variables\nsecond line"))
        : ok;
    const r = await walkChain(
      ["EnvironmentCredential", "ManagedIdentityCredential", "AzureCliCredential"],
      build,
      "s",
      new AbortController().signal,
    );
    expect(r.winner).toBe("ManagedIdentityCredential");
    expect(r.attempts.map((a) => [a.name, a.status, a.reason])).toEqual([
      ["EnvironmentCredential", "unavailable", "no variables"],
      ["ManagedIdentityCredential", "available", null],
      ["AzureCliCredential", "not-tried", "ManagedIdentityCredential works first"],
    ]);
    expect(r.attempts[2]?.ms).toBeNull();
  });

  it("stops at a credential that fails (not unavailable), as ChainedTokenCredential does", async () => {
    const build = (n: CredentialName) =>
      n === "EnvironmentCredential" ? fails(named("AuthenticationError", "bad secret")) : ok;
    const r = await walkChain(
      ["EnvironmentCredential", "ManagedIdentityCredential"],
      build,
      "s",
      new AbortController().signal,
    );
    expect(r.winner).toBeNull();
    expect(r.token).toBeNull();
    expect(r.attempts.map((a) => [a.status, a.reason])).toEqual([
      ["failed", "bad secret"],
      ["not-tried", "the chain stops at EnvironmentCredential's failure"],
    ]);
  });

  it("a constructor that throws is unavailable; AuthenticationRequiredError passes on; miauth's own error is the reason", async () => {
    const build = (n: CredentialName): TokenCredential => {
      if (n === "WorkloadIdentityCredential") throw new Error("clientId is required");
      if (n === "AzureCliCredential") return fails(named("AuthenticationRequiredError", "log in"));
      return fails(named("CredentialUnavailableError", "network_error"));
    };
    const r = await walkChain(
      ["WorkloadIdentityCredential", "AzureCliCredential", "ManagedIdentityCredential"],
      build,
      "s",
      new AbortController().signal,
      () => new Error("refusing to contact http://169.254.169.254"),
    );
    expect(r.attempts.map((a) => [a.status, a.reason])).toEqual([
      ["unavailable", "clientId is required"],
      ["unavailable", "refusing to contact http://169.254.169.254"],
      ["unavailable", "refusing to contact http://169.254.169.254"],
    ]);
  });

  it("a reason is one line: control characters from outside are escaped", async () => {
    const r = await walkChain(
      ["AzureCliCredential"],
      () => fails(named("CredentialUnavailableError", "az\u001b[31m red")),
      "s",
      new AbortController().signal,
    );
    expect(r.attempts[0]?.reason).toBe("az\\x1b[31m red");
  });
});

describe("the host", () => {
  it("App Service, Functions, Container Apps, GitHub Actions, Kubernetes, or a plain machine", () => {
    const site = detectHost({
      WEBSITE_SITE_NAME: "web1",
      WEBSITE_OWNER_NAME: "sub+rg1-eastuswebspace",
      IDENTITY_ENDPOINT: "http://127.0.0.1:4141/msi/token?x=1",
      IDENTITY_HEADER: "secret-header",
    });
    expect(site).toEqual({
      kind: "webapp",
      name: "web1",
      resourceGroup: "rg1",
      evidence: ["WEBSITE_SITE_NAME", "WEBSITE_OWNER_NAME"],
      identityEndpoint: { variable: "IDENTITY_ENDPOINT", url: "http://127.0.0.1:4141/msi/token" },
    });
    expect(JSON.stringify(site)).not.toContain("secret-header");
    expect(detectHost({ WEBSITE_SITE_NAME: "f", FUNCTIONS_EXTENSION_VERSION: "~4" }).kind).toBe(
      "functionapp",
    );
    expect(detectHost({ CONTAINER_APP_NAME: "ca1", CONTAINER_APP_REVISION: "ca1--r1" })).toMatchObject({
      kind: "containerapp",
      name: "ca1",
      identityEndpoint: null,
    });
    expect(detectHost({ GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "o/r" })).toMatchObject({
      kind: "github-actions",
      name: "o/r",
      oidc: false,
    });
    expect(
      detectHost({
        GITHUB_ACTIONS: "true",
        ACTIONS_ID_TOKEN_REQUEST_URL: "https://x",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t",
      }).oidc,
    ).toBe(true);
    expect(
      detectHost({ AZURE_FEDERATED_TOKEN_FILE: "/var/run/t", KUBERNETES_SERVICE_HOST: "10.0.0.1" }).kind,
    ).toBe("kubernetes");
    expect(detectHost({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:9/" })).toEqual({
      kind: "machine",
      name: null,
      resourceGroup: null,
      evidence: [],
      identityEndpoint: {
        variable: "AZURE_POD_IDENTITY_AUTHORITY_HOST",
        url: "http://127.0.0.1:9/metadata/identity/oauth2/token",
      },
    });
  });
});

describe("who and suggestions", () => {
  it("names a managed identity, a user and a service principal from their claims", () => {
    expect(whoFromClaims({ tid: "t", oid: "o", appid: "a", xms_mirid: "/subscriptions/s/x" })).toEqual({
      tenantId: "t",
      objectId: "o",
      appId: "a",
      userName: null,
      type: "ManagedIdentity",
      resourceId: "/subscriptions/s/x",
    });
    expect(
      whoFromClaims({ tid: "t", oid: "o", idtyp: "user", upn: "ann@contoso.com", azp: "cli" }),
    ).toMatchObject({
      type: "User",
      userName: "ann@contoso.com",
      appId: "cli",
    });
    expect(whoFromClaims({ oid: "o", appid: "a", idtyp: "app" })).toMatchObject({
      type: "ServicePrincipal",
      userName: null,
    });
  });

  const report = (
    credentials: DoctorReport["chain"]["credentials"],
    winner: DoctorReport["winner"],
    host = detectHost({}),
  ) => ({
    host,
    chain: { source: "the full DefaultAzureCredential chain", credentials },
    winner,
    identity: null,
    federation: null,
    subscription: null,
    arm: null,
  });

  it("suggests AZURE_TOKEN_CREDENTIALS when credentials before the winner cost a second or more", () => {
    const slow = report(
      [
        { name: "ManagedIdentityCredential", status: "unavailable", reason: "no IMDS", ms: 1200 },
        { name: "AzureCliCredential", status: "available", reason: null, ms: 900 },
      ],
      "AzureCliCredential",
    );
    expect(suggestionsFor(slow, {})).toEqual([
      "set AZURE_TOKEN_CREDENTIALS=AzureCliCredential: DefaultAzureCredential spends 1200 ms on ManagedIdentityCredential before it",
    ]);
    const quick = report(
      [
        { name: "EnvironmentCredential", status: "unavailable", reason: "none", ms: 2 },
        { name: "ManagedIdentityCredential", status: "available", reason: null, ms: 30 },
      ],
      "ManagedIdentityCredential",
    );
    expect(suggestionsFor(quick, {})).toEqual([]);
  });

  it("with no winner: the failing credential, the app's missing identity, or how to sign in", () => {
    const failed = report(
      [{ name: "EnvironmentCredential", status: "failed", reason: "bad secret", ms: 40 }],
      null,
    );
    expect(suggestionsFor(failed, {})[0]).toMatch(
      /^EnvironmentCredential fails and ends DefaultAzureCredential's chain/,
    );
    const app = report(
      [{ name: "ManagedIdentityCredential", status: "unavailable", reason: "no endpoint", ms: 0 }],
      null,
      detectHost({ WEBSITE_SITE_NAME: "web1", WEBSITE_RESOURCE_GROUP: "rg1" }),
    );
    expect(suggestionsFor(app, { AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential" })).toEqual([
      "turn on the app's managed identity: miauth enable --webapp web1 -g rg1",
    ]);
    const none = report(
      [{ name: "AzureCliCredential", status: "unavailable", reason: "az not found", ms: 5 }],
      null,
    );
    expect(suggestionsFor(none, { AZURE_TOKEN_CREDENTIALS: "AzureCliCredential" })).toEqual([
      "sign in with `az login` or `azd auth login`; or rehearse against a local Azure: miauth emulator start",
      "AZURE_TOKEN_CREDENTIALS=AzureCliCredential limits the chain: unset it to try every credential",
    ]);
  });
});
