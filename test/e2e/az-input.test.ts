// az-shaped input: --user-assigned by name (in the target's group or --identity-resource-group), the Azure
// CLI's default group for -g (AZURE_DEFAULTS_GROUP, `az config set defaults.group=…`), and -n/--name
// answered with the flags that name a target.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const SHARED = "shared-identities";
const world = {
  ...DEFAULT_WORLD,
  resourceGroups: [...DEFAULT_WORLD.resourceGroups, { name: SHARED, location: "eastus" }],
  userAssignedIdentities: [
    ...(DEFAULT_WORLD.userAssignedIdentities ?? []),
    {
      resourceGroup: SHARED,
      name: "shared-uami",
      principalId: "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
      clientId: "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e",
    },
  ],
};

const emu = useEmulator({ blob: false, seed: world });
const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { env: { ...emu.current.env, ...env } });

interface IdentityResult {
  result: string;
  type: string;
  userAssignedIdentities: Record<string, unknown> | null;
}
interface DryRun {
  after: { type: string };
}
const attached = (r: IdentityResult) => Object.keys(r.userAssignedIdentities ?? {});

describe("--user-assigned by name", () => {
  it("a name is the identity in the target's resource group; the re-run writes nothing", async () => {
    const r = await cli(["enable", "--webapp", "msdocs-web", "-g", RG, "--user-assigned", "msdocs-uami"]);
    expect(r.code, r.stderr).toBe(0);
    const result = json<IdentityResult>(r);
    expect(result.type).toBe("SystemAssigned, UserAssigned");
    expect(attached(result)).toEqual([emu.current.uamiId("msdocs-uami")]);
    await emu.current.clearLog();
    const again = await cli(["enable", "--webapp", "msdocs-web", "-g", RG, "--user-assigned", "msdocs-uami"]);
    expect(again.code, again.stderr).toBe(0);
    expect(json<IdentityResult>(again).result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);
  });

  it("--identity-resource-group: a name in another group, attached and detached", async () => {
    const flags = ["--user-assigned", "shared-uami", "--identity-resource-group", SHARED];
    const on = await cli(["enable", "--vm", "msdocs-vm", "-g", RG, "--no-system-assigned", ...flags]);
    expect(on.code, on.stderr).toBe(0);
    expect(attached(json<IdentityResult>(on))).toEqual([emu.current.uamiId("shared-uami", SHARED)]);
    const off = await cli(["disable", "--vm", "msdocs-vm", "-g", RG, ...flags]);
    expect(off.code, off.stderr).toBe(0);
    expect(json<IdentityResult>(off).type).toBe("None");
  });

  it("a name and a full ID of the same identity are one; a name the group lacks is ARM's refusal", async () => {
    const both = await cli([
      "disable",
      "--functionapp",
      "msdocs-func",
      "-g",
      RG,
      "--user-assigned",
      "msdocs-uami",
      "--user-assigned",
      emu.current.uamiId("msdocs-uami"),
      "--dry-run",
    ]);
    expect(both.code, both.stderr).toBe(0);
    expect(json<DryRun>(both).after.type).toBe("None");
    const missing = await cli([
      "enable",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--user-assigned",
      "shared-uami",
    ]);
    // ARM's 400 FailedIdentityOperation, which names the identity and the group it looked in.
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `userAssignedIdentities/shared-uami' under resource group '${RG}' was not found`,
    );
  });

  it("bad names, and --identity-resource-group with only IDs, are usage errors before any request", async () => {
    const cases: [string[], string][] = [
      [
        ["--user-assigned", "a/b"],
        "error: invalid --user-assigned 'a/b': give a user-assigned identity's name",
      ],
      [["--user-assigned", "x"], "error: invalid --user-assigned 'x'"],
      [
        ["--user-assigned", emu.current.uamiId("msdocs-uami"), "--identity-resource-group", SHARED],
        "error: --identity-resource-group is for --user-assigned identities given by name",
      ],
      [
        ["--user-assigned", "msdocs-uami", "--identity-resource-group", "bad/group"],
        "invalid resource group name",
      ],
    ];
    for (const [more, message] of cases) {
      const r = await cli(["enable", "--webapp", "msdocs-web", "-g", RG, ...more]);
      expect(r.code, more.join(" ")).toBe(2);
      expect(r.stderr.split("\n")[0]).toContain(message);
    }
    expect(await emu.current.requests()).toEqual([]);
  });
});

describe("the Azure CLI's default resource group", () => {
  const configDir = (group: string) => {
    const dir = join(mkdtempSync(join(tmpdir(), "miauth-az-")), ".azure");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "config"),
      `[core]\noutput = json\n\n[defaults]\ngroup = ${group}\nlocation = eastus\n`,
    );
    return dir;
  };
  const show = (...more: string[]) => ["show", "--webapp", "msdocs-web", "--verbose", ...more];

  it("without -g and without a default: --webapp needs -g", async () => {
    const r = await cli(show());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--webapp needs -g/--resource-group");
  });

  it("AZURE_DEFAULTS_GROUP is used and said under --verbose", async () => {
    const r = await cli(show(), { AZURE_DEFAULTS_GROUP: RG });
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ resourceId: string }>(r).resourceId).toBe(emu.current.siteId("msdocs-web"));
    expect(r.stderr).toContain(`-g ${RG} (from AZURE_DEFAULTS_GROUP; an explicit -g wins)`);
    const quiet = await cli(["show", "--webapp", "msdocs-web"], { AZURE_DEFAULTS_GROUP: RG });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe("");
  });

  it("defaults.group from the az config file ($AZURE_CONFIG_DIR/config)", async () => {
    const dir = configDir(RG);
    const r = await cli(show(), { AZURE_CONFIG_DIR: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `-g ${RG} (from defaults.group in ${join(dir, "config")}; an explicit -g wins)`,
    );
  });

  it("the variable wins over the file, and an explicit -g over both", async () => {
    const dir = configDir("from-the-file");
    const env = await cli(show(), { AZURE_CONFIG_DIR: dir, AZURE_DEFAULTS_GROUP: RG });
    expect(env.code, env.stderr).toBe(0);
    expect(env.stderr).toContain("(from AZURE_DEFAULTS_GROUP;");
    const flag = await cli(show("-g", RG), { AZURE_CONFIG_DIR: dir, AZURE_DEFAULTS_GROUP: "elsewhere" });
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stderr).not.toContain("AZURE_DEFAULTS_GROUP");
    expect(flag.stderr).not.toContain("elsewhere");
  });

  it("the default serves assign-role's target, and so its scope", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const r = await cli(["assign-role", "--webapp", "msdocs-web", "--role", "Reader"], {
      AZURE_DEFAULTS_GROUP: RG,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ principalId, scope: emu.current.rg() });
  });

  it("--ids and bare --assignee ignore it; a bad default is a usage error naming where it came from", async () => {
    const ids = await cli(["show", "--ids", emu.current.siteId("msdocs-web")], { AZURE_DEFAULTS_GROUP: "x" });
    expect(ids.code, ids.stderr).toBe(0);
    const bad = await cli(show(), { AZURE_DEFAULTS_GROUP: "bad/group" });
    expect(bad.code).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe(
      "error: invalid default resource group 'bad/group' (AZURE_DEFAULTS_GROUP)",
    );
    expect(await emu.current.writes()).toEqual([]);
  });
});

describe("-n/--name", () => {
  const target = ["-g", RG];
  it.each([
    ["enable", []],
    ["disable", []],
    ["show", []],
    ["assign-role", ["--role", "Reader"]],
    ["unassign-role", ["--role", "Reader"]],
    ["verify", ["--account", "msdocsstorage"]],
  ])("%s -n / --name: names the flags to use, exit 2, no request", async (command, more) => {
    for (const flag of [["-n", "msdocs-web"], ["--name", "msdocs-web"], ["--name=msdocs-web"]]) {
      const r = await cli([command, ...flag, ...target, ...more]);
      expect(r.code, flag.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0]).toBe(
        "error: miauth has no -n/--name here: use --webapp NAME, --functionapp NAME, --vm NAME or --containerapp NAME",
      );
    }
    expect(await emu.current.requests()).toEqual([]);
  });

  it("roles list --name is its own option and keeps working", async () => {
    const r = await cli(["roles", "list", "--name", "Reader", "--query", "[].roleName"]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toEqual(["Reader"]);
  });
});
