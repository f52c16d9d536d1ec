// Failure paths end to end: retries, permissions, missing resources, secrets. Bad input: bad-input.test.ts
// (the built binary) and test/unit/usage.test.ts (every usage error, in-process).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const emu = useEmulator({ blob: false });

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

describe("transient failures", () => {
  it("retries a 429 with Retry-After and says so on stderr", async () => {
    await emu.current.fault(
      { method: "GET", path: "sites/msdocs-web" },
      { type: "status", status: 429, retryAfter: 1 },
      1,
    );
    const r = await cli(["enable", "--webapp", "msdocs-web", "-g", RG]);
    expect(r.code).toBe(0);
    expect(json(r).result).toBe("updated");
    expect(r.stderr).toMatch(/429/);
    const gets = (await emu.current.armRequests()).filter(
      (q) => q.method === "GET" && /sites\/msdocs-web$/.test(q.path),
    );
    // The read, its retry, and the read-back after the write.
    expect(gets.map((g) => g.status)).toEqual([429, 200, 200]);
  });

  it("retries a transient 503 on the write", async () => {
    await emu.current.fault({ method: "PATCH" }, { type: "status", status: 503 }, 1);
    const r = await cli(["enable", "--webapp", "msdocs-web", "-g", RG]);
    expect(r.code).toBe(0);
    const patches = (await emu.current.writes()).map((w) => w.status);
    expect(patches).toEqual([503, 200]);
  });

  it("survives a connection reset", async () => {
    await emu.current.fault({ method: "GET", path: "sites/msdocs-web" }, { type: "reset" }, 1);
    const r = await cli(["show", "--webapp", "msdocs-web", "-g", RG]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/connection to ARM failed .*attempt 1/);
    const gets = (await emu.current.armRequests()).filter((q) => /sites\/msdocs-web$/.test(q.path));
    expect(gets.map((g) => g.status)).toEqual([0, 200]); // 0 = the reset
  });
});

describe("permissions and missing things", () => {
  it("a persistent 403 exits 5 and names the action and scope", async () => {
    await emu.current.fault({ method: "PATCH" }, { type: "status", status: 403 }, 10);
    const r = await cli(["enable", "--webapp", "msdocs-web", "-g", RG]);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Microsoft.Web/sites/write");
    expect(r.stderr).toContain(emu.current.siteId("msdocs-web"));
    expect(r.stderr.trim().split("\n")).toHaveLength(2); // one error line, one hint
  });

  it("an unknown resource group exits 3 and names it", async () => {
    const r = await cli(["enable", "--webapp", "msdocs-web", "-g", "no-such-rg"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no-such-rg/);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("an unknown web app or VM exits 3 and names it", async () => {
    const site = await cli(["enable", "--webapp", "no-such-app", "-g", RG]);
    expect(site.code).toBe(3);
    expect(site.stderr).toMatch(
      /web app 'no-such-app' in resource group 'msdocs-sdk-auth-example' was not found/,
    );
    const vm = await cli(["show", "--vm", "no-such-vm", "-g", RG]);
    expect(vm.code).toBe(3);
    expect(vm.stderr).toMatch(/VM 'no-such-vm'/);
  });

  it("--debug's stack trace points at the TypeScript source, not the bundle", async () => {
    const r = await cli(["show", "--webapp", "no-such-app", "-g", RG, "--debug"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ {4}at .*\/src\/azure\/identity\.ts:\d+:\d+\)?$/m);
    expect(r.stderr).not.toMatch(/dist\/(cli|chunk-|clients-)/);
  });
});

describe("secrets and the network guard", () => {
  it("never prints a token or the identity header, --debug included", async () => {
    const r = await cli(["enable", "--webapp", "msdocs-web", "-g", RG, "--debug"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/> PATCH https:\/\/127\.0\.0\.1/); // the trace is there
    const secret = emu.current.env.IDENTITY_HEADER ?? "";
    expect(secret.length).toBeGreaterThan(8);
    for (const text of [r.stdout, r.stderr]) {
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // a JWT
      expect(text).not.toMatch(/Bearer\s+\S{20,}/);
    }
  });

  it("never prints secrets on error paths either, --debug included", async () => {
    const secret = emu.current.env.IDENTITY_HEADER ?? "";
    await emu.current.fault({ method: "GET", kind: "arm" }, { type: "status", status: 403 }, 10);
    const denied = await cli(["show", "--webapp", "msdocs-web", "-g", RG, "--debug"]);
    expect(denied.code).toBe(5);
    await emu.current.control("DELETE", "faults");
    const wrongAudience = await cli([
      "show",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--debug",
      "--cloud",
      "AzureChinaCloud",
      "--arm-endpoint",
      emu.current.url,
    ]);
    expect(wrongAudience.code).toBe(4);
    expect(wrongAudience.stderr).toMatch(/InvalidAuthenticationTokenAudience/);
    for (const r of [denied, wrongAudience]) {
      for (const text of [r.stdout, r.stderr]) {
        expect(text).not.toContain(secret);
        expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
      }
    }
  });

  it("blocks a CLI process that tries to reach real Azure", async () => {
    const args = [
      "show",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--arm-endpoint",
      "https://management.azure.com",
    ];
    const r = await runCli(args, { env: emu.current.env, expectBlocked: true });
    expect(r.code).not.toBe(0);
    expect(r.blocked.join("\n")).toMatch(/management\.azure\.com:443/);
  });

  it("blocks the test process itself from leaving loopback", async () => {
    const net = await import("node:net");
    expect(() => net.connect(443, "93.184.216.34")).toThrow(/network guard/);
    expect(() => net.connect({ host: "169.254.169.254", port: 80 })).toThrow(/network guard/);
  });
});

describe("subscription resolution", () => {
  it("uses the only subscription the credential can see", async () => {
    const r = await cli(["show", "--webapp", "msdocs-web", "-g", RG, "--verbose"], {
      AZURE_SUBSCRIPTION_ID: undefined,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/from only subscription/);
    expect((await emu.current.armRequests()).some((q) => /^\/subscriptions$/.test(q.path))).toBe(true);
  });

  it("accepts --subscription by name", async () => {
    const r = await cli(["show", "--webapp", "msdocs-web", "-g", RG, "--subscription", "miauth-emulator"], {
      AZURE_SUBSCRIPTION_ID: undefined,
    });
    expect(r.code).toBe(0);
    expect(json(r).resourceId).toBe(emu.current.siteId("msdocs-web"));
  });

  it("reads the Azure CLI's default subscription", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "azcfg-"));
    const profile = { subscriptions: [{ id: emu.current.sub, name: "x", isDefault: true }] };
    writeFileSync(join(dir, "azureProfile.json"), `\uFEFF${JSON.stringify(profile)}`);
    const r = await cli(["show", "--webapp", "msdocs-web", "-g", RG, "--verbose"], {
      AZURE_SUBSCRIPTION_ID: undefined,
      AZURE_CONFIG_DIR: dir,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/from Azure CLI profile/);
    expect(readFileSync(join(dir, "azureProfile.json"), "utf8")).toContain(emu.current.sub);
  });

  it("a --subscription that ARM does not know: exit 3 naming it (SubscriptionNotFound), not the target", async () => {
    const unknown = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
    const reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    for (const args of [
      ["show", "--webapp", "msdocs-web", "-g", RG],
      ["enable", "--vm", "msdocs-vm", "-g", RG],
      ["assign-role", "--webapp", "msdocs-web", "-g", RG, "--role", reader],
      ["roles", "list"],
      ["verify", "--webapp", "msdocs-web", "-g", RG, "--account", "msdocsstorage"],
    ]) {
      const r = await cli([...args, "--subscription", unknown]);
      expect([r.code, r.stdout], args.join(" ")).toEqual([3, ""]);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toEqual([
        `error: subscription '${unknown}' was not found, or the credential cannot see it`,
        "hint: check --subscription (or AZURE_SUBSCRIPTION_ID); list the subscriptions the credential can see with 'az account list -o table'",
      ]);
    }
    const requests = await emu.current.armRequests();
    expect(requests.some((q) => q.status === 404 && q.path.startsWith(`/subscriptions/${unknown}/`))).toBe(
      true,
    );
    expect(await emu.current.writes()).toEqual([]);
  });

  it("fails authentication with exit 4 and a short list of what was tried", async () => {
    const r = await cli(["show", "--webapp", "msdocs-web", "-g", RG], {
      IDENTITY_HEADER: "wrong-secret-value",
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /authentication failed.*ManagedIdentityCredential \(Unauthorized: .*X-IDENTITY-HEADER/,
    );
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
  });
});

describe("interruption", () => {
  it("Ctrl-C during a request exits 130 at once, with one line", async () => {
    // The reply to the first read is held: Ctrl-C arrives while the CLI waits for it.
    const held = await emu.current.hold({ method: "GET", path: "sites/msdocs-web" });
    let child: import("node:child_process").ChildProcess | undefined;
    const run = runCli(["enable", "--webapp", "msdocs-web", "-g", RG], {
      env: emu.current.env,
      onSpawn: (c) => {
        child = c;
      },
    });
    await held.waitHeld(run);
    const interrupted = Date.now();
    child?.kill("SIGINT");
    const r = await run;
    expect(r.code).toBe(130);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: interrupted$/m);
    expect(Date.now() - interrupted).toBeLessThan(2500); // the abort reached the request: no 3 s fallback
    expect(await emu.current.writes()).toEqual([]);
  });
});

describe("a reader that closes stdout early", () => {
  const closeAfterFirstChunk = (child: import("node:child_process").ChildProcess) => {
    child.stdout?.once("data", () => child.stdout?.destroy());
  };
  it.each([
    ["assign-role", "--help"],
    ["help", "verify"],
  ])("`miauth %s %s | head -1` ends quietly with exit 0", async (...args) => {
    // Help is two writes (the text, then its examples): whether the reader has gone before the
    // second one is a race, so run it a few times.
    for (let i = 0; i < 10; i++) {
      const r = await runCli(args, { onSpawn: closeAfterFirstChunk });
      expect(r.stdout).toMatch(/^Usage: miauth /);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
  });
  it("a stdout closed before the first write: no stack trace, the command's own exit code", async () => {
    for (const args of [
      ["assign-role", "--help"],
      ["show", "--webapp", "msdocs-web", "-g", RG],
    ]) {
      const r = await runCli(args, {
        env: emu.current.env,
        onSpawn: (child) => child.stdout?.destroy(),
      });
      expect(r.stderr, args.join(" ")).toBe("");
      expect(r.code, args.join(" ")).toBe(0);
    }
  });
});
