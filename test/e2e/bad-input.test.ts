// Bad input is exit 2 with one line on stderr, and nothing is sent: the emulator's request log stays empty.
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { baseEnv, json, ROOT, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const P = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5";
const many = Array.from({ length: 12 }, () => randomUUID());
const emu = useEmulator({
  seed: {
    ...DEFAULT_WORLD,
    principals: many.map((principalId, i) => ({
      principalId,
      type: "ServicePrincipal",
      displayName: `app-${i}`,
    })),
  } as typeof DEFAULT_WORLD,
});

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

/**
 * This Node, if that user may run it; else the one on PATH. A Node from `npx node@22` lives under root's
 * home, which nobody may enter; the check under test does not depend on the Node version.
 */
function nodeFor(user: { uid?: number; gid?: number }): string {
  if (user.uid === undefined) return process.execPath;
  return spawnSync(process.execPath, ["-e", "0"], user).status === 0 ? process.execPath : "node";
}

/** The built CLI as a user without root's right to write anywhere (nobody, when the tests run as root). */
function runAsUser(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  // The emulator's CA file is root's own; nothing is meant to be sent, so it is not needed.
  const env = { ...baseEnv(), ...emu.current.env, NODE_EXTRA_CA_CERTS: "" };
  return new Promise((done, fail) => {
    const child = spawn(nodeFor(user), [join(ROOT, "bin/miauth.js"), ...args], {
      env,
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      ...user,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

async function expectRefused(args: string[], message: RegExp, env: Record<string, string | undefined> = {}) {
  const r = await cli(args, env);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(/^error: /);
  expect(await emu.current.requests()).toEqual([]);
  return r;
}

describe("a scope that climbs is refused before any request", () => {
  const store = () => `${emu.current.rg()}/providers/Microsoft.Storage/storageAccounts/msdocsstorage`;
  const owner = (scope: string, ...more: string[]) => [
    "assign-role",
    "--assignee",
    P,
    "--role",
    "Owner",
    "--scope",
    scope,
    ...more,
  ];

  it("assign-role --scope …/providers/../../.. (Owner at the subscription, today)", async () => {
    await expectRefused(owner(`${emu.current.rg()}/providers/../../..`), /'\.\.' is not a name/);
  });
  it("assign-role --scope with %2e%2e", async () => {
    await expectRefused(owner(`${emu.current.rg()}/providers/%2e%2e/%2e%2e/%2e%2e`), /contains '%'/);
  });
  it("assign-role --scope …/containers/.. (the blob service, today)", async () => {
    await expectRefused(
      [
        "assign-role",
        "--assignee",
        P,
        "--role",
        "Storage Blob Data Reader",
        "--scope",
        `${store()}/blobServices/default/containers/..`,
      ],
      /'\.\.' is not a name/,
    );
  });
  it("assign-role --scope $STORE?api-version=1 (the account itself, today)", async () => {
    await expectRefused(owner(`${store()}?api-version=1`), /contains '\?'/);
  });
  it("assign-role --scope $STORE#x", async () => {
    await expectRefused(owner(`${store()}#x`), /contains '#'/);
  });
  it("a %2F scope in --dry-run", async () => {
    await expectRefused(owner(`${emu.current.rg()}%2Fproviders%2Fx`, "--dry-run"), /contains '%'/);
  });
  it("unassign-role --scope with ..", async () => {
    await expectRefused(
      ["unassign-role", "--assignee", P, "--role", "Reader", "--scope", `${store()}/..`],
      /'\.\.' is not a name/,
    );
  });
  it("roles list --scope with .. or a backslash", async () => {
    await expectRefused(["roles", "list", "--scope", `${emu.current.rg()}/..`], /'\.\.' is not a name/);
    await expectRefused(["roles", "list", "--scope", `${emu.current.rg()}\\..`], /contains '\\'/);
  });
  it("a role definition ID that climbs", async () => {
    await expectRefused(
      [
        "assign-role",
        "--assignee",
        P,
        "--role",
        `/subscriptions/${emu.current.sub}/x/../providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
        "-g",
        RG,
      ],
      /'\.\.' is not a name/,
    );
  });
  it("verify --storage-id with a query string", async () => {
    await expectRefused(
      ["verify", "--principal", P, "--storage-id", `${store()}?api-version=1`],
      /invalid --storage-id .*contains '\?'/,
    );
  });
  it("verify --account-resource-group that climbs", async () => {
    await expectRefused(
      ["verify", "--principal", P, "--account", "msdocsstorage", "--account-resource-group", ".."],
      /invalid resource group name/,
    );
  });
  it("--ids and --user-assigned with escapes", async () => {
    await expectRefused(
      ["show", "--ids", `${emu.current.rg()}/providers/Microsoft.Web/sites/%2e%2e`],
      /contains '%'/,
    );
    await expectRefused(
      [
        "enable",
        "--webapp",
        "msdocs-web",
        "-g",
        RG,
        "--user-assigned",
        `${emu.current.rg()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/..`,
      ],
      /'\.\.' is not a name/,
    );
  });
});

describe("durations have one syntax and a maximum, checked before any request", () => {
  it.each([
    [
      "--timeout 30d (overflowed Node's timer after the PATCH, today)",
      ["enable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "30d"],
      /invalid --timeout '30d': at most 24h/,
    ],
    [
      "--timeout 99999999999999999999",
      ["enable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "99999999999999999999"],
      /at most 24h/,
    ],
    [
      "--timeout 1.5 (1.5 ms, today)",
      ["enable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "1.5"],
      /invalid --timeout '1\.5': use a whole number/,
    ],
    [
      "--timeout 0 (exit 6 at once, today)",
      ["enable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "0"],
      /invalid --timeout '0': it must be more than 0/,
    ],
    [
      "verify --timeout 0s",
      ["verify", "--principal", P, "--account", "msdocsstorage", "-g", RG, "--timeout", "0s"],
      /invalid --timeout '0s': it must be more than 0/,
    ],
    [
      "--principal-wait 2 hours",
      ["assign-role", "--assignee", P, "--role", "Reader", "-g", RG, "--principal-wait", "2 hours"],
      /invalid --principal-wait/,
    ],
    [
      "--wait 30d",
      ["verify", "--principal", P, "--account", "msdocsstorage", "-g", RG, "--wait", "30d"],
      /invalid --wait '30d': at most 24h/,
    ],
  ])("%s", async (_name, args, message) => {
    await expectRefused(args, message);
  });
});

describe("--query is checked in full before any request", () => {
  it.each([
    ["an unknown function (failed after the PATCH, today)", "nosuchfn(@)", /unknown function nosuchfn\(\)/],
    ["a wrong number of arguments", "length(@, @)", /length\(\) takes 1 argument, not 2/],
    [
      "an argument that can never have the right type",
      "sort_by(@, name)",
      /expected argument 2 to be type expression/,
    ],
  ])("%s", async (_name, query, message) => {
    await expectRefused(["enable", "--webapp", "msdocs-web", "-g", RG, "--query", query], message);
  });
});

describe("many assignees", () => {
  it("12 assignees at --concurrency 8: no MaxListenersExceededWarning", async () => {
    const assignees = many.flatMap((p) => ["--assignee", p]);
    const assigned = await cli(["assign-role", "--role", "Reader", "-g", RG, ...assignees]);
    expect(assigned.code).toBe(0);
    expect(json<{ result: string }[]>(assigned).map((a) => a.result)).toEqual(many.map(() => "created"));
    const removed = await cli(["unassign-role", "--role", "Reader", "-g", RG, ...assignees]);
    expect(removed.code).toBe(0);
    for (const r of [assigned, removed]) {
      expect(r.stderr).not.toMatch(/MaxListenersExceededWarning|memory leak/);
    }
  });
});

describe("small but real", () => {
  const dir = mkdtempSync(join(tmpdir(), "miauth-bad-input-"));
  const roleArgs = ["assign-role", "--role", "Reader", "-g", RG];

  it("--assignees-file /dev/zero is refused by size, not a native crash", async () => {
    await expectRefused(
      [...roleArgs, "--assignees-file", "/dev/zero"],
      /--assignees-file '\/dev\/zero' is larger than 1 MiB/,
    );
  });
  it("--assignees-file with a huge line, or a directory", async () => {
    const file = join(dir, "long.txt");
    writeFileSync(file, `${P}\n${"x".repeat(5000)}\n`);
    await expectRefused(
      [...roleArgs, "--assignees-file", file],
      /line 2 of --assignees-file .* is longer than 1000 characters/,
    );
    await expectRefused([...roleArgs, "--assignees-file", dir], /cannot read --assignees-file .*EISDIR/);
  });
  it("--junit a directory, or under a file, fails before the run (a missing directory is made)", async () => {
    const verify = ["verify", "--principal", P, "--account", "msdocsstorage", "-g", RG];
    await expectRefused([...verify, "--junit", dir], /--junit '.*' is a directory/);
    const file = join(dir, "plain");
    writeFileSync(file, "");
    await expectRefused(
      [...verify, "--junit", join(file, "report.xml")],
      /--junit: cannot write '.*plain\/report\.xml': '.*plain' is not a directory/,
    );
    await expectRefused(
      [...verify, "--junit", join(file, "out", "report.xml")],
      /--junit: cannot write '.*plain\/out\/report\.xml': '.*plain' is not a directory/,
    );
  });
  it("--junit in a directory the user cannot write fails before the run", async () => {
    const locked = mkdtempSync(join(tmpdir(), "miauth-locked-"));
    chmodSync(locked, 0o500);
    try {
      const args = ["verify", "--principal", P, "--account", "msdocsstorage", "-g", RG];
      const r = await runAsUser([...args, "--junit", join(locked, "r.xml")]);
      expect(r.stderr).toMatch(/^error: --junit: cannot write '.*r\.xml' \(EACCES\)\n$/);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      // Nor a directory it would have to make there.
      const nested = await runAsUser([...args, "--junit", join(locked, "out", "r.xml")]);
      expect(nested.stderr).toMatch(/^error: --junit: cannot write '.*out\/r\.xml' \(EACCES\)\n$/);
      expect(nested.code).toBe(2);
      expect(await emu.current.requests()).toEqual([]);
    } finally {
      chmodSync(locked, 0o700);
      rmSync(locked, { recursive: true, force: true });
    }
  });
  it("user input echoed in an error loses its newlines and terminal escapes", async () => {
    const r = await expectRefused(
      ["show", "--webapp", "a\u001b[2Jb\nerror: fake", "-g", RG],
      /invalid --webapp name 'a\\x1b\[2Jb\\nerror: fake'/,
    );
    expect(r.stderr).not.toContain("\u001b");
    const unknown = await cli(["show", "--webapp", "a1", "-g", RG, "--bo\u001b]0;title\u0007gus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--bo\\x1b\]0;title\\x07gus'/);
    expect(unknown.stderr).not.toContain("\u0007");
    expect(unknown.stderr).not.toContain("\u001b");
  });
  it("a scope with a newline stays one line", async () => {
    await expectRefused(["roles", "list", "--scope", `${emu.current.rg()}\n/x`], /contains U\+000A/);
  });
  it("a role name with a newline", async () => {
    await expectRefused(
      ["assign-role", "--assignee", P, "--role", "Reader\nOwner", "-g", RG],
      /invalid --role: a role name is one line/,
    );
    await expectRefused(["roles", "list", "--name", "Reader\nOwner"], /invalid --name/);
  });
  it("userinfo in the ARM endpoint is refused and never printed", async () => {
    const withUser = emu.current.url.replace("https://", "https://admin:s3cret@");
    for (const [args, env] of [
      [["show", "--webapp", "msdocs-web", "-g", RG, "--arm-endpoint", withUser], {}],
      [["show", "--webapp", "msdocs-web", "-g", RG], { MIAUTH_ARM_ENDPOINT: withUser }],
    ] as const) {
      const r = await expectRefused(
        [...args],
        /invalid ARM endpoint 'https:\/\/…@127\.0\.0\.1:\d+': no user name or password/,
        env,
      );
      expect(r.stderr).not.toMatch(/s3cret|admin/);
    }
  });
  it("AZURE_TOKEN_CREDENTIALS=Bogus", async () => {
    await expectRefused(
      ["show", "--webapp", "msdocs-web", "-g", RG],
      /invalid AZURE_TOKEN_CREDENTIALS 'Bogus'/,
      {
        AZURE_TOKEN_CREDENTIALS: "Bogus",
      },
    );
  });
  it("AZURE_TOKEN_CREDENTIALS takes the SDK's names in any case", async () => {
    const r = await cli(["show", "--webapp", "msdocs-web", "-g", RG], {
      AZURE_TOKEN_CREDENTIALS: "managedidentitycredential",
    });
    expect(r.code).toBe(0);
  });
});

describe("the scope in the result is the scope that was sent", () => {
  it("a scope typed in another casing, with a trailing slash, is rebuilt before use", async () => {
    const canonical = `${emu.current.rg()}/providers/Microsoft.Storage/storageAccounts/msdocsstorage`;
    const typed = `/SUBSCRIPTIONS/${emu.current.sub.toUpperCase()}/resourcegroups/${RG}/PROVIDERS/Microsoft.Storage/storageAccounts/msdocsstorage/`;
    const r = await cli([
      "assign-role",
      "--assignee",
      P,
      "--role",
      "Storage Blob Data Reader",
      "--scope",
      typed,
    ]);
    expect(r.code).toBe(0);
    const out = json<{ scope: string; id: string }>(r);
    expect(out.scope).toBe(canonical);
    expect(out.id.startsWith(`${canonical}/providers/Microsoft.Authorization/roleAssignments/`)).toBe(true);
    const puts = (await emu.current.writes()).map((w) => w.path);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.startsWith(`${canonical}/providers/Microsoft.Authorization/roleAssignments/`)).toBe(true);
  });
});
