// A GitHub Actions job rehearsed against the emulator: `emulator env --as-github-workflow` gives the job's
// variables after its OIDC step, and DefaultAzureCredential (its WorkloadIdentityCredential) exchanges the
// federated token at the emulator's Entra endpoint. A wrong branch is refused, naming the subject; the
// chain never reaches the Azure CLI (a fake `az` on PATH would leave a mark).
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { RG, send, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator();
const UAMI = "msdocs-uami";
const PRINCIPAL = "c2f4e6a8-1b3d-4f5a-9c7e-2d4f6a8b0c1e";
const CLIENT_ID = "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b";

/** `export K='v'` and `unset A B` lines, applied to `base`. */
function applyEnv(script: string, base: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...base };
  for (const line of script.split("\n")) {
    const unset = /^unset (.+)$/.exec(line);
    if (unset?.[1]) for (const k of unset[1].split(" ")) env[k] = undefined;
    const exp = /^export ([A-Z_][A-Z0-9_]*)='(.*)'$/.exec(line);
    if (exp?.[1]) env[exp[1]] = (exp[2] ?? "").replaceAll(`'\\''`, "'");
  }
  return env;
}

/** A PATH whose `az` records that it ran: the chain must never get that far. */
function azTrap(): { path: string; mark: string } {
  const dir = mkdtempSync(join(tmpdir(), "miauth-az-trap-"));
  const mark = join(dir, "az-ran");
  const az = join(dir, "az");
  writeFileSync(az, `#!/bin/sh\ntouch '${mark}'\nexit 1\n`);
  chmodSync(az, 0o755);
  return { path: `${dir}:${process.env.PATH ?? ""}`, mark };
}

async function workflowEnv(...args: string[]) {
  const r = await runCli(["emulator", "env", "--as-github-workflow", "octo-org/app", ...args], {
    env: emu.current.env,
  });
  expect(r.code, r.stderr).toBe(0);
  const trap = azTrap();
  return { script: r.stdout, env: applyEnv(r.stdout, { ...emu.current.env, PATH: trap.path }), trap };
}

async function federateMain() {
  const r = await runCli(
    ["identity", "federate", UAMI, "-g", RG, "--github", "octo-org/app", "--branch", "main"],
    { env: emu.current.env },
  );
  expect(r.code, r.stderr).toBe(0);
}

describe("a GitHub Actions workflow through workload identity federation", () => {
  it("env --as-github-workflow prints the job's variables, and the token file holds GitHub's subject", async () => {
    await federateMain();
    const { script, env } = await workflowEnv("--ref", "refs/heads/main");
    expect(script).toMatch(/^unset .*\bAZURE_TOKEN_CREDENTIALS\b/m);
    expect(script).toMatch(/\bIDENTITY_ENDPOINT\b/);
    expect(env).toMatchObject({
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_TENANT_ID: emu.current.handle.tenantId,
      AZURE_AUTHORITY_HOST: emu.current.url,
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: "octo-org/app",
      GITHUB_REF: "refs/heads/main",
    });
    expect(env.IDENTITY_ENDPOINT).toBeUndefined();
    expect(env.AZURE_TOKEN_CREDENTIALS).toBeUndefined();
    const token = readFileSync(env.AZURE_FEDERATED_TOKEN_FILE ?? "", "utf8");
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
    expect(claims).toMatchObject({
      iss: "https://token.actions.githubusercontent.com",
      sub: "repo:octo-org/app:ref:refs/heads/main",
      aud: "api://AzureADTokenExchange",
      repository: "octo-org/app",
    });
    // As a job with `id-token: write`: it may ask for a token itself, with its bearer secret only.
    const url = `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent("api://AzureADTokenExchange")}`;
    const asked = await send(url, emu.api.ca, "GET", {
      Authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`,
    });
    expect(asked.status).toBe(200);
    const value = JSON.parse(
      Buffer.from(String(asked.json.value).split(".")[1] ?? "", "base64url").toString(),
    );
    expect(value).toMatchObject({
      sub: "repo:octo-org/app:ref:refs/heads/main",
      aud: "api://AzureADTokenExchange",
    });
    const refused = await send(url, emu.api.ca, "GET", { Authorization: "Bearer nope" });
    expect(refused.status).toBe(401);
  });

  it("the right subject: verify passes as the identity through DefaultAzureCredential's WorkloadIdentityCredential", async () => {
    await federateMain();
    await emu.current.assignRole(PRINCIPAL, "Storage Blob Data Contributor");
    await emu.current.advance(60_000);
    const { env, trap } = await workflowEnv("--ref", "refs/heads/main");
    const r = await runCli(["verify", "--account", "msdocsstorage"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.stringify(json(r))).toContain(PRINCIPAL);
    expect(r.stdout + r.stderr).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
    const exchanges = (await emu.current.requests()).filter((q) => /\/oauth2\/v2\.0\/token$/.test(q.path));
    expect(exchanges.length).toBeGreaterThan(0);
    expect(exchanges.every((q) => q.status === 200)).toBe(true);
    expect(existsSync(trap.mark)).toBe(false);
  });

  it("a wrong branch is refused with the subject GitHub sent named, exit 4, and the Azure CLI is never tried", async () => {
    await federateMain();
    await emu.current.assignRole(PRINCIPAL, "Storage Blob Data Contributor");
    await emu.current.advance(60_000);
    const { env, trap } = await workflowEnv("--ref", "refs/heads/feature");
    // A refused exchange is not the end of DefaultAzureCredential's chain (MSAL's ServerError becomes
    // AuthenticationRequiredError, which passes on): the job names its credential, as the README says.
    const r = await runCli(["verify", "--account", "msdocsstorage"], {
      env: { ...env, AZURE_TOKEN_CREDENTIALS: "WorkloadIdentityCredential" },
    });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain("repo:octo-org/app:ref:refs/heads/feature");
    expect(r.stderr).toContain("AADSTS70021");
    expect(json<{ steps: { name: string; code: string | null }[] }>(r).steps[0]).toMatchObject({
      name: "credential",
      code: "FederatedTokenRefused",
    });
    // An ARM command in that job names the credential Entra refused, not MSAL's error class.
    const arm = await runCli(["identity", "federate", UAMI, "-g", RG, "--list"], {
      env: { ...env, AZURE_TOKEN_CREDENTIALS: "WorkloadIdentityCredential" },
    });
    expect(arm.code).toBe(4);
    expect(arm.stderr.split("\n")[0]).toContain("tried WorkloadIdentityCredential (AADSTS70021:");
    expect(existsSync(trap.mark)).toBe(false);
  });

  it("doctor in the job names WorkloadIdentityCredential, the identity and the subject it signed in as", async () => {
    await federateMain();
    const { env, trap } = await workflowEnv("--ref", "refs/heads/main");
    const r = await runCli(["doctor"], { env });
    expect(r.code, r.stderr).toBe(0);
    const report = json<{
      winner: string;
      host: { kind: string; name: string; oidc: boolean };
      federation: Record<string, unknown>;
    }>(r);
    expect(report.winner).toBe("WorkloadIdentityCredential");
    expect(report.host).toMatchObject({ kind: "github-actions", name: "octo-org/app", oidc: true });
    expect(report.federation).toEqual({
      credential: "WorkloadIdentityCredential",
      clientId: CLIENT_ID,
      tenantId: emu.current.handle.tenantId,
      principalId: PRINCIPAL,
      issuer: "https://token.actions.githubusercontent.com",
      subject: "repo:octo-org/app:ref:refs/heads/main",
      audience: "api://AzureADTokenExchange",
      refused: null,
      accepts: null,
      acceptsUnknown: null,
    });
    expect(r.stderr).toMatch(/^winner: WorkloadIdentityCredential, ManagedIdentity c2f4e6a8-/m);
    expect(r.stderr).toContain("federated token: subject 'repo:octo-org/app:ref:refs/heads/main'");
    expect(r.stdout + r.stderr).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
    expect(r.stdout + r.stderr).not.toContain(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
    expect(existsSync(trap.mark)).toBe(false);
  });

  it("doctor when the exchange is refused says which subject GitHub sent (exit 4)", async () => {
    await federateMain();
    const { env, trap } = await workflowEnv("--environment", "production");
    const r = await runCli(["doctor"], {
      env: { ...env, AZURE_TOKEN_CREDENTIALS: "WorkloadIdentityCredential" },
    });
    expect(r.code, r.stderr).toBe(4);
    const report = json<{
      winner: string | null;
      federation: Record<string, unknown>;
      suggestions: string[];
    }>(r);
    expect(report.winner).toBeNull();
    expect(report.federation).toMatchObject({
      clientId: CLIENT_ID,
      principalId: null,
      subject: "repo:octo-org/app:environment:production",
      refused: { code: "AADSTS70021" },
      // The job's only credential is the refused one: ARM cannot be asked which subjects are accepted.
      accepts: null,
      acceptsUnknown: expect.stringMatching(/^ARM could not list/),
    });
    expect(r.stderr).toContain("refused: AADSTS70021");
    expect(r.stderr).toContain("Assertion Subject: 'repo:octo-org/app:environment:production'");
    expect(report.suggestions[0]).toContain("subject 'repo:octo-org/app:environment:production'");
    expect(existsSync(trap.mark)).toBe(false);
  });

  it("an AZURE_AUTHORITY_HOST that is not an https URL is exit 2, one line, before any request", async () => {
    const r = await runCli(["identity", "federate", UAMI, "-g", RG, "--list"], {
      env: { ...emu.current.env, AZURE_AUTHORITY_HOST: "http://127.0.0.1:1" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(/invalid AZURE_AUTHORITY_HOST 'http:\/\/127\.0\.0\.1:1'/);
    expect(await emu.current.requests()).toEqual([]);
  });

  it("bad input to --as-github-workflow is one line and exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["emulator", "env", "--as-github-workflow", "nope"], /invalid --as-github-workflow 'nope'/],
      [["emulator", "env", "--ref", "refs/heads/main"], /--ref needs --as-github-workflow/],
      [["emulator", "env", "--as-github-workflow", "o/r", "--ref", "main"], /invalid --ref 'main'/],
      [
        ["emulator", "env", "--as-github-workflow", "o/r", "--vm", "x", "-g", RG],
        /cannot be combined with --vm/,
      ],
      [
        ["emulator", "env", "--as-github-workflow", "octo-org/none"],
        /no user-assigned identity .* trusts workflows of octo-org\/none/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { env: emu.current.env });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.split("\n")[0]).toMatch(message);
    }
  });
});
