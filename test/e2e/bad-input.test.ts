// Bad input as the built binary meets it: exit 2, exactly its stderr, and nothing is sent (the emulator's
// request log stays empty). The full table of usage errors runs in-process: test/unit/usage.test.ts.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { baseEnv, json, ROOT, runCli, spawnText } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { stderrOf, type UsageRow } from "../helpers/usage.js";

const RG = "msdocs-sdk-auth-example";
const P = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5";
const many = Array.from({ length: 12 }, () => randomUUID());
const emu = useEmulator({
  blob: false,
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
  return spawnText(nodeFor(user), [join(ROOT, "bin/miauth.js"), ...args], { env, cwd: ROOT, ...user });
}

/** A usage error as the built binary shows it: exit 2, exactly its stderr, nothing on stdout, nothing sent. */
async function expectRefused(row: UsageRow) {
  const r = await cli(row.args, row.env);
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
    code: 2,
    stdout: "",
    stderr: stderrOf(row),
  });
  expect(await emu.current.requests()).toEqual([]);
  return r;
}

// Every usage error has a row in test/unit/usage.test.ts, run in-process. These few run as a user runs
// miauth, per command: the real process's exit code and stderr, its environment, a file it reads.
describe("the built binary refuses bad input before any request", () => {
  const SUB = DEFAULT_WORLD.subscriptions[0]?.subscriptionId ?? "";
  const RG_ID = `/subscriptions/${SUB}/resourceGroups/${RG}`;
  const STORE = `${RG_ID}/providers/Microsoft.Storage/storageAccounts/msdocsstorage`;
  const rows: UsageRow[] = [
    {
      name: "enable: a name without its group",
      args: ["enable", "--webapp", "a1"],
      error: "--webapp needs -g/--resource-group",
    },
    {
      name: "enable: --timeout 0 (exit 6 at once, once)",
      args: ["enable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "0"],
      error: "invalid --timeout '0': it must be more than 0",
    },
    {
      name: "enable: an unknown flag (commander's error)",
      args: ["enable", "--webapp", "a1", "-g", RG, "--bogus"],
      error: "unknown option '--bogus'",
      usage: true,
    },
    {
      name: "disable: --user-assigned neither a name nor an ID",
      args: ["disable", "--webapp", "msdocs-web", "-g", RG, "--user-assigned", "msdocs uami"],
      error:
        "invalid --user-assigned 'msdocs uami': give a user-assigned identity's name (3-128 letters, digits, '-' or '_', starting with a letter or digit) or its full resource ID",
    },
    {
      name: "show: AZURE_SUBSCRIPTION_ID from the environment",
      args: ["show", "--webapp", "msdocs-web", "-g", RG],
      env: { AZURE_SUBSCRIPTION_ID: "nope" },
      error: "AZURE_SUBSCRIPTION_ID 'nope' is not a GUID",
    },
    {
      name: "show: MIAUTH_ARM_ENDPOINT with a user name and password, never printed",
      args: ["show", "--webapp", "msdocs-web", "-g", RG],
      env: { MIAUTH_ARM_ENDPOINT: "https://admin:s3cret@127.0.0.1:1" },
      error: "invalid ARM endpoint 'https://…@127.0.0.1:1': no user name or password allowed in it",
    },
    {
      name: "roles list: --custom-only and --builtin-only",
      args: ["roles", "list", "--custom-only", "--builtin-only"],
      error: "--custom-only and --builtin-only exclude each other",
    },
    {
      name: "roles list: a scope with a newline stays one line",
      args: ["roles", "list", "--scope", `${RG_ID}\n/x`],
      error: `invalid --scope '${RG_ID}\\n/x': it contains U+000A; expected /subscriptions/{id}[/resourceGroups/{group}[/providers/{namespace}/{type}/{name}…]]`,
    },
    {
      name: "unassign-role: a scope with ..",
      args: ["unassign-role", "--assignee", P, "--role", "Reader", "--scope", `${STORE}/..`],
      error: `invalid --scope '${STORE}/..': '..' is not a name; expected /subscriptions/{id}[/resourceGroups/{group}[/providers/{namespace}/{type}/{name}…]]`,
    },
    {
      name: "verify: --timeout 0s",
      args: ["verify", "--principal", P, "--account", "msdocsstorage", "-g", RG, "--timeout", "0s"],
      error: "invalid --timeout '0s': it must be more than 0",
    },
  ];
  it.each(rows.map((r) => [r.name, r] as const))("%s", async (_, row) => {
    await expectRefused(row);
  });

  it("assign-role: --assignees-file /dev/zero is refused by size, not a native crash", async () => {
    await expectRefused({
      name: "/dev/zero",
      args: ["assign-role", "--role", "Reader", "-g", RG, "--assignees-file", "/dev/zero"],
      error: "--assignees-file '/dev/zero' is larger than 1 MiB",
    });
  });

  it("verify: --junit in a directory the user cannot write fails before the run", async () => {
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
});

describe("the environment", () => {
  it("AZURE_TOKEN_CREDENTIALS takes the SDK's names in any case", async () => {
    const r = await cli(["show", "--webapp", "msdocs-web", "-g", RG], {
      AZURE_TOKEN_CREDENTIALS: "managedidentitycredential",
    });
    expect(r.code).toBe(0);
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
