// miauth doctor through the built CLI against the emulator: the operator's machine, an app on its host
// with and without an identity, and no credential at all. Tokens and the identity header never print.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createCertificates } from "../../src/emulator/certs.js";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });
const OPERATOR = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5";

interface Report {
  host: {
    kind: string;
    name: string | null;
    resourceGroup: string | null;
    identityEndpoint: { variable: string } | null;
  };
  chain: {
    source: string;
    credentials: { name: string; status: string; reason: string | null; ms: number | null }[];
  };
  winner: string | null;
  identity: { objectId: string; tenantId: string; type: string; resourceId: string | null } | null;
  subscription: { id: string; name: string | null; source: string } | null;
  arm: { answers: boolean; subscriptions: number | null } | null;
  suggestions: string[];
}

/** Nothing secret in what doctor printed: no JWT, no identity header value. */
function expectNoSecrets(out: string, env: Record<string, string>) {
  expect(out).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  if (env.IDENTITY_HEADER) expect(out).not.toContain(env.IDENTITY_HEADER);
}

describe("miauth doctor", () => {
  it("on the operator's machine: ManagedIdentityCredential wins as the operator, ARM answers, exit 0", async () => {
    const env = emu.current.env;
    const r = await runCli(["doctor", "--debug"], { env });
    expect(r.code, r.stderr).toBe(0);
    const report = json<Report>(r);
    expect(report.winner).toBe("ManagedIdentityCredential");
    expect(report.chain).toMatchObject({
      source: "AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential",
      credentials: [{ name: "ManagedIdentityCredential", status: "available", reason: null }],
    });
    expect(report.identity).toMatchObject({ objectId: OPERATOR, type: "ManagedIdentity" });
    expect(report.subscription).toEqual({
      id: emu.current.sub,
      name: "miauth-emulator",
      source: "AZURE_SUBSCRIPTION_ID",
    });
    expect(report.arm).toMatchObject({ answers: true, subscriptions: 1 });
    expect(report.host).toMatchObject({
      kind: "machine",
      identityEndpoint: { variable: "IDENTITY_ENDPOINT" },
    });
    expect(r.stderr).toMatch(/^winner: ManagedIdentityCredential, ManagedIdentity 6f1c2d3e-/m);
    expectNoSecrets(r.stdout + r.stderr, env);
    // It only reads: one token request for the chain, one for ARM's clients, one subscriptions list.
    expect(await emu.current.writes()).toEqual([]);
  });

  it("the full chain (AZURE_TOKEN_CREDENTIALS unset): the credentials before the winner are unavailable, those after not tried", async () => {
    const r = await runCli(["doctor"], { env: { ...emu.current.env, AZURE_TOKEN_CREDENTIALS: undefined } });
    expect(r.code, r.stderr).toBe(0);
    const report = json<Report>(r);
    expect(report.chain.source).toBe("the full DefaultAzureCredential chain");
    expect(report.chain.credentials.map((c) => [c.name, c.status])).toEqual([
      ["EnvironmentCredential", "unavailable"],
      ["WorkloadIdentityCredential", "unavailable"],
      ["ManagedIdentityCredential", "available"],
      ["VisualStudioCodeCredential", "not-tried"],
      ["AzureCliCredential", "not-tried"],
      ["AzurePowerShellCredential", "not-tried"],
      ["AzureDeveloperCliCredential", "not-tried"],
    ]);
  });

  it("in a web app with an identity: the host is the app, the winner is the app's own identity", async () => {
    const site = emu.current.siteId("msdocs-web");
    const principal = await emu.current.enableSystem(site);
    const env = emu.current.handle.envFor(site);
    const r = await runCli(["doctor", "-o", "json"], { env });
    expect(r.code, r.stderr).toBe(0);
    const report = json<Report>(r);
    expect(report.host).toMatchObject({ kind: "webapp", name: "msdocs-web", resourceGroup: RG });
    expect(report.identity).toMatchObject({ objectId: principal, type: "ManagedIdentity" });
    expect(report.identity?.resourceId?.toLowerCase()).toBe(site.toLowerCase());
    expect(r.stderr).toMatch(/^host: App Service web app msdocs-web \(msdocs-sdk-auth-example\)/m);
    expectNoSecrets(r.stdout + r.stderr, env);
  });

  it("in a web app without an identity: exit 4, no token request, and the fix names the app", async () => {
    const env = emu.current.handle.envFor(emu.current.siteId("msdocs-web"));
    emu.current.clearLog();
    const r = await runCli(["doctor"], { env });
    expect(r.code).toBe(4);
    const report = json<Report>(r);
    expect(report.winner).toBeNull();
    expect(report.chain.credentials[0]).toMatchObject({ status: "unavailable" });
    expect(report.chain.credentials[0]?.reason).toMatch(
      /App Service set no IDENTITY_ENDPOINT for 'msdocs-web'/,
    );
    expect(report.arm).toBeNull();
    expect(report.suggestions).toEqual([
      `turn on the app's managed identity: miauth enable --webapp msdocs-web -g ${RG}`,
    ]);
    expect(r.stderr).toMatch(/^error: no credential of DefaultAzureCredential's chain works here$/m);
    expect((await emu.current.requests()).filter((q) => q.kind === "identity")).toEqual([]);
  });

  it("with no credential at all: exit 4 with a short list; IMDS off this machine is refused, never tried", async () => {
    const r = await runCli(["doctor"], {
      env: { ...emu.current.env, IDENTITY_ENDPOINT: undefined, IDENTITY_HEADER: undefined },
    });
    expect(r.code).toBe(4);
    expect(r.blocked).toEqual([]);
    const lines = r.stderr.trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(r.stderr).toMatch(
      /^ {2}no {3}ManagedIdentityCredential {2}not available \(\d+ ms\): refusing to contact http:\/\/169\.254\.169\.254/m,
    );
    expect(r.stderr).toMatch(
      /^suggestion: sign in with `az login` or `azd auth login`; or rehearse against a local Azure: miauth emulator start$/m,
    );
    expect(json<Report>(r).arm).toBeNull();
  });

  it("bad input is one line before any request", async () => {
    emu.current.clearLog();
    const r = await runCli(["doctor"], { env: { ...emu.current.env, AZURE_TOKEN_CREDENTIALS: "Nope" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid AZURE_TOKEN_CREDENTIALS 'Nope'/);
    expect(await emu.current.requests()).toEqual([]);
  });
});

// A certificate credential signs a client assertion with jsonwebtoken, which the bundle loads only then
// (scripts/startup-patches.mjs): the assertion still reaches Entra, whose refusal is the one for a JWT it
// cannot check (the emulator's Entra trusts only GitHub's tokens), not an error before any request.
describe("miauth doctor with a certificate credential", () => {
  it("signs the client assertion and sends it to Entra", async () => {
    const dir = mkdtempSync(join(tmpdir(), "miauth-cert-"));
    try {
      // A key and its certificate (the emulator's server pair: any RSA certificate will do).
      const { keyPem, certPem } = await createCertificates();
      const pem = join(dir, "cert.pem");
      writeFileSync(pem, keyPem + certPem);
      const env = {
        ...emu.current.env,
        AZURE_TOKEN_CREDENTIALS: "EnvironmentCredential",
        AZURE_TENANT_ID: emu.handle.tenantId,
        AZURE_CLIENT_ID: "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b",
        AZURE_CLIENT_CERTIFICATE_PATH: pem,
        AZURE_AUTHORITY_HOST: emu.handle.url,
      };
      const r = await runCli(["doctor", "-o", "json"], { env });
      expect(r.code).toBe(4);
      const report = json<Report>(r);
      expect(report.chain.credentials).toMatchObject([{ name: "EnvironmentCredential", status: "failed" }]);
      expect(report.chain.credentials[0]?.reason).toMatch(/Status code: 400/);
      const posts = (await emu.current.requests()).filter(
        (q) => q.method === "POST" && q.path === `/${emu.handle.tenantId}/oauth2/v2.0/token`,
      );
      expect(posts.map((q) => q.status)).toEqual([400]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
