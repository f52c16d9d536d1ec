// What a new user meets first: miauth with no sign-in at all, and the version a bug report needs.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { json, ROOT, runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "miauth-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("no sign-in at all", () => {
  it("lists the credentials tried, suggests az login / azd auth login and the emulator, exit 4", async () => {
    // Against Azure (no MIAUTH_ARM_ENDPOINT), no environment credential, no az, azd or pwsh on PATH,
    // no VS Code sign-in; instance metadata (169.254.169.254) does not answer here (the network guard).
    const r = await runCli(["show", "--webapp", "msdocs-web", "-g", "msdocs-sdk-auth-example"], {
      env: { PATH: dir },
      expectBlocked: true,
    });
    expect([r.code, r.stdout]).toEqual([4, ""]);
    const [error, hint, ...rest] = r.stderr.trimEnd().split("\n");
    expect(rest).toEqual([]);
    expect(error).toBe(
      "error: authentication failed: no credential worked; tried EnvironmentCredential (not configured), ManagedIdentityCredential (no managed identity here), VisualStudioCodeCredential (not available), AzureCliCredential (not installed), AzurePowerShellCredential (not installed), AzureDeveloperCliCredential (not installed)",
    );
    expect(hint).toBe(
      "hint: sign in with 'az login' or 'azd auth login', set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or run where a managed identity is available; to rehearse without Azure: miauth emulator start",
    );
    // The only connection tried off this machine was the managed identity's, and it was never made.
    expect(r.blocked.map((b) => /blocked connection to (\S+)/.exec(b)?.[1])).toEqual(
      r.blocked.map(() => "169.254.169.254:80"),
    );
    expect(r.blocked.length).toBeGreaterThan(0);
  });
});

function installed(name: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

describe("the version, for bug reports", () => {
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string })
    .version;

  it("--version prints the version alone", async () => {
    const r = await runCli(["--version"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `${version}\n`, ""]);
  });

  it("version -o json adds Node, the platform and the bundled Azure SDK versions (as installed)", async () => {
    const r = await runCli(["version", "-o", "json"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const info = json<{ miauth: string; node: string; platform: string; azureSdk: Record<string, string> }>(
      r,
    );
    expect(info.miauth).toBe(version);
    expect(info.node).toBe(process.version);
    expect(info.platform).toBe(`${process.platform}-${process.arch}`);
    expect(Object.keys(info.azureSdk)).toEqual(
      expect.arrayContaining([
        "@azure/identity",
        "@azure/arm-appservice",
        "@azure/storage-blob",
        "@azure/msal-node",
      ]),
    );
    for (const [name, v] of Object.entries(info.azureSdk)) {
      if (name !== "@azure/msal-node") expect(v, name).toBe(installed(name));
    }
    expect(info.azureSdk["@azure/msal-node"]).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("--version --verbose prints the same; -o and --query apply", async () => {
    const plain = await runCli(["version"]);
    const verbose = await runCli(["--version", "--verbose"]);
    expect([verbose.code, verbose.stderr]).toEqual([0, ""]);
    expect(json(verbose)).toEqual(json(plain));
    const tsv = await runCli(["-o", "tsv", "--version", "--verbose", "--query", "[miauth, node]"]);
    expect([tsv.code, tsv.stdout]).toEqual([0, `${version}\n${process.version}\n`]);
  });
});
