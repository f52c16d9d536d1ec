// `miauth emulator start` / `env` as a user runs them: start it, source env.sh, act as an app.
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baseEnv, json, ROOT, runCli, spawnText } from "../helpers/cli.js";

function parseExports(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of text.matchAll(/^export (\w+)='((?:[^']|'\\'')*)'$/gm)) {
    vars[m[1] ?? ""] = (m[2] ?? "").replace(/'\\''/g, "'");
  }
  return vars;
}

async function startForeground(dir: string, extra: string[] = []) {
  let child: ChildProcess | undefined;
  let stdout = "";
  const done = runCli(["emulator", "start", "--dir", dir, "--port", "0", ...extra], {
    onSpawn: (c) => {
      child = c;
      c.stdout?.on("data", (d) => {
        stdout += d;
      });
    },
    timeoutMs: 60_000,
  });
  const started = Date.now();
  while (!/ready at/.test(stdout)) {
    if (Date.now() - started > 20_000) throw new Error(`emulator did not start: ${stdout}`);
    const early = await Promise.race([done, new Promise((r) => setTimeout(() => r(undefined), 50))]);
    if (early) throw new Error(`emulator exited: ${JSON.stringify(early)}`);
  }
  return { child: child as ChildProcess, done, stdout: () => stdout };
}

describe("miauth emulator", () => {
  it("starts, serves the guide's world through env.sh, acts as an app, and stops on Ctrl-C with exit 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "miauth-emu-"));
    const emu = await startForeground(dir);
    expect(emu.stdout()).toMatch(
      /^miauth emulator ready at https:\/\/127\.0\.0\.1:\d+ \(source .*env\.sh\)\n$/,
    );
    const printed = await runCli(["emulator", "env", "--dir", dir]);
    expect(printed.code).toBe(0);
    const operator = parseExports(printed.stdout);
    expect(Object.keys(operator).sort()).toEqual(
      [
        "AZURE_STORAGE_BLOB_ENDPOINT",
        "AZURE_SUBSCRIPTION_ID",
        "AZURE_TOKEN_CREDENTIALS",
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
        "MIAUTH_ARM_ENDPOINT",
        "MIAUTH_EMULATOR_DIR",
        "MIAUTH_GRAPH_ENDPOINT",
        "NODE_EXTRA_CA_CERTS",
      ].sort(),
    );
    expect(parseExports(readFileSync(join(dir, "env.sh"), "utf8"))).toEqual(operator);
    const info = JSON.parse(readFileSync(join(dir, "emulator.json"), "utf8")) as {
      url: string;
      blobGateUrl: string;
    };
    expect(info.url).toBe(operator.MIAUTH_ARM_ENDPOINT);
    expect(operator.AZURE_STORAGE_BLOB_ENDPOINT).toBe(`${info.blobGateUrl}/msdocsstorage`);

    const enabled = await runCli(["enable", "--webapp", "msdocs-web", "-g", "msdocs-sdk-auth-example"], {
      env: operator,
    });
    expect(enabled.code).toBe(0);
    const site = json<{ resourceId: string; principalId: string }>(enabled);

    // Act as the web app: DefaultAzureCredential in a separate process gets the app's own token.
    const asApp = await runCli(["emulator", "env", "--dir", dir, "--as", site.resourceId]);
    expect(asApp.code).toBe(0);
    const appEnv = parseExports(asApp.stdout);
    expect(appEnv.IDENTITY_ENDPOINT).not.toBe(operator.IDENTITY_ENDPOINT);
    const claims = await tokenClaims(appEnv, "https://storage.azure.com/.default");
    expect(claims.oid).toBe(site.principalId);
    expect(claims.aud).toBe("https://storage.azure.com");
    expect(String(claims.xms_mirid).toLowerCase()).toBe(site.resourceId.toLowerCase());

    // The VM has no identity yet: it has no IDENTITY_ENDPOINT but IMDS, which answers Azure's 400.
    const vmId = site.resourceId.replace(
      "Microsoft.Web/sites/msdocs-web",
      "Microsoft.Compute/virtualMachines/msdocs-vm",
    );
    const vmEnv = parseExports((await runCli(["emulator", "env", "--dir", dir, "--as", vmId])).stdout);
    expect(vmEnv.IDENTITY_ENDPOINT).toBeUndefined();
    expect(vmEnv.AZURE_POD_IDENTITY_AUTHORITY_HOST).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(tokenClaims(vmEnv, "https://storage.azure.com/.default")).rejects.toThrow(
      /Identity not found/,
    );

    emu.child.kill("SIGINT");
    const stopped = await emu.done;
    expect(stopped.code).toBe(0);
    // Nothing left to source: a stale env.sh would point the next command at a closed port.
    expect(existsSync(join(dir, "env.sh"))).toBe(false);
    expect(existsSync(join(dir, "emulator.json"))).toBe(false);
    expect(existsSync(join(dir, "ca.pem"))).toBe(true);
  });

  it("SIGTERM stops it too, leaving no env.sh", async () => {
    const dir = mkdtempSync(join(tmpdir(), "miauth-emu-"));
    const emu = await startForeground(dir);
    expect(existsSync(join(dir, "env.sh"))).toBe(true);
    emu.child.kill("SIGTERM");
    expect((await emu.done).code).toBe(0);
    expect(existsSync(join(dir, "env.sh"))).toBe(false);
  });

  it("after `source env.sh`, `env --webapp NAME -g RG` finds the emulator without --dir, and verify as that app names the fix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "miauth-emu-"));
    const emu = await startForeground(dir);
    // As a user types it, from another directory: no .miauth-emulator here, no --dir.
    const script = [
      'source "$1"',
      'eval "$(node "$2" emulator env --webapp msdocs-web -g msdocs-sdk-auth-example)"',
      'node "$2" emulator env --webapp msdocs-web -g msdocs-sdk-auth-example',
      'if [ -z "$IDENTITY_ENDPOINT" ]; then echo IDENTITY_ENDPOINT=unset; fi',
      'node "$2" verify -o json; echo "exit=$?"',
    ].join("\n");
    const r = await shell(script, [join(dir, "env.sh"), join(ROOT, "bin/miauth.js")]);
    const printed = parseExports(r.stdout);
    expect(printed).toMatchObject({
      MIAUTH_EMULATOR_DIR: dir,
      WEBSITE_SITE_NAME: "msdocs-web",
      WEBSITE_RESOURCE_GROUP: "msdocs-sdk-auth-example",
      WEBSITE_OWNER_NAME: expect.stringMatching(/^[0-9a-f-]{36}\+msdocs-sdk-auth-example-\w+webspace$/),
    });
    // The web app has no identity: App Service gives it no endpoint, and env.sh's (the operator's) is unset.
    expect(r.stdout).toMatch(/^unset IDENTITY_ENDPOINT IDENTITY_HEADER /m);
    expect(r.stdout).toMatch(/^IDENTITY_ENDPOINT=unset$/m);
    expect(r.stdout).toMatch(/^exit=4$/m);
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf("{"), r.stdout.lastIndexOf("}") + 1));
    expect(report.fix).toBe("enable one: miauth enable --webapp msdocs-web -g msdocs-sdk-auth-example");
    expect(r.blocked).toEqual([]);

    emu.child.kill("SIGINT");
    expect((await emu.done).code).toBe(0);
  });

  it("env: a host flag with --as, two host flags, or -g alone are usage errors before anything else", async () => {
    const missing = join(tmpdir(), "no-such-emulator-dir");
    for (const args of [
      ["--webapp", "a", "-g", "rg", "--vm", "b"],
      [
        "--as",
        "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.Web/sites/a",
        "--webapp",
        "a",
      ],
      [
        "--as",
        "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.Web/sites/a",
        "-g",
        "rg",
      ],
      ["--vm", "a"],
      ["-g", "rg"],
      ["--functionapp", "bad name!", "-g", "rg"],
    ]) {
      const r = await runCli(["emulator", "env", "--dir", missing, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      // Told about the flags, not about the missing emulator: flags are checked first.
      expect(r.stderr, args.join(" ")).not.toMatch(/no emulator found/);
      expect(r.stderr.trim().split("\n")[0]).toMatch(/^error: /);
    }
  });

  it("rejects an invalid world file with exit 2 and a one-line reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "miauth-emu-"));
    const seed = join(dir, "world.json");
    writeFileSync(seed, JSON.stringify({ subscriptions: "nope" }));
    const r = await runCli(["emulator", "start", "--dir", dir, "--seed", seed]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid --seed: /);
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
  });

  it("`env` without a running emulator is a usage error", async () => {
    const r = await runCli(["emulator", "env", "--dir", join(tmpdir(), "no-such-emulator-dir")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no emulator found/);
  });
});

/** Runs DefaultAzureCredential in a child process with the given env and decodes the token's claims. */
/** A bash script run as a user would, with the test's environment and network guard, from a fresh directory. */
async function shell(script: string, args: string[]) {
  const guardLog = join(mkdtempSync(join(tmpdir(), "miauth-guard-")), "blocked.log");
  const { code, stdout, stderr } = await spawnText("bash", ["-c", script, "bash", ...args], {
    cwd: mkdtempSync(join(tmpdir(), "miauth-cwd-")),
    env: { ...baseEnv(), MIAUTH_NET_GUARD_LOG: guardLog },
  });
  const blocked = existsSync(guardLog) ? readFileSync(guardLog, "utf8").split("\n").filter(Boolean) : [];
  return { code, stdout, stderr, blocked };
}

async function tokenClaims(env: Record<string, string>, scope: string): Promise<Record<string, unknown>> {
  const script = `
    import { DefaultAzureCredential } from "@azure/identity";
    const t = await new DefaultAzureCredential().getToken(${JSON.stringify(scope)});
    process.stdout.write(Buffer.from(t.token.split(".")[1], "base64url").toString());
  `;
  const r = await spawnText(process.execPath, ["--input-type=module", "-e", script], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
  });
  if (r.code !== 0) throw new Error(`credential failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
