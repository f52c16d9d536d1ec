// `assign-role --storage-account NAME [--storage-resource-group RG] [--container NAME]`: the scope is
// found through ARM (no storage resource ID typed by hand), end to end against the emulator.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const OTHER_RG = "msdocs-data";
const emu = useEmulator({
  blob: false,
  seed: {
    ...DEFAULT_WORLD,
    resourceGroups: [...DEFAULT_WORLD.resourceGroups, { name: OTHER_RG, location: "eastus" }],
    storageAccounts: [
      ...(DEFAULT_WORLD.storageAccounts ?? []),
      { resourceGroup: OTHER_RG, name: "msdocsarchive", containers: ["logs", "reports"] },
    ],
  },
});

function cli(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

const ROLE = ["--role", "Storage Blob Data Contributor"];
const accountId = (rg: string, name: string) =>
  `${emu.current.rg(rg)}/providers/Microsoft.Storage/storageAccounts/${name}`;

interface Assigned {
  result: string;
  scope: string;
  principalId: string;
}

describe("assign-role --storage-account", () => {
  it("finds the account in another group by listing the subscription's accounts, and a re-run writes nothing", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.clearLog();
    const args = [
      "assign-role",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      ...ROLE,
      "--storage-account",
      "msdocsarchive",
    ];
    const first = await cli(args);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const out = json<Assigned>(first);
    expect(out).toMatchObject({
      result: "created",
      principalId,
      scope: accountId(OTHER_RG, "msdocsarchive"),
    });
    const reads = (await emu.current.armRequests()).map((r) => `${r.method} ${r.path}`);
    expect(reads).toContain(
      `GET /subscriptions/${emu.current.sub}/providers/Microsoft.Storage/storageAccounts`,
    );
    expect((await emu.current.writes()).map((w) => w.method)).toEqual(["PUT"]);

    await emu.current.clearLog();
    const again = await cli(args);
    expect(again.code).toBe(0);
    expect(json<Assigned>(again)).toMatchObject({ result: "unchanged", scope: out.scope });
    expect(await emu.current.writes()).toEqual([]);
  });

  it("with --storage-resource-group reads the account itself, and --container scopes to the container", async () => {
    const principalId = await emu.current.enableSystem(emu.current.vmId("msdocs-vm"));
    await emu.current.clearLog();
    const r = await cli([
      "assign-role",
      "--assignee",
      principalId,
      "--role",
      "Storage Blob Data Reader",
      "--storage-account",
      "msdocsstorage",
      "--storage-resource-group",
      RG,
      "--container",
      "msdocs-container",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const scope = `${accountId(RG, "msdocsstorage")}/blobServices/default/containers/msdocs-container`;
    expect(json<Assigned>(r)).toMatchObject({ result: "created", scope });
    const paths = (await emu.current.armRequests()).map((x) => x.path);
    expect(paths).toContain(accountId(RG, "msdocsstorage"));
    expect(paths).toContain(scope);
    // No list of the subscription's accounts when the group is given.
    expect(paths.filter((p) => /\/storageAccounts$/i.test(p))).toEqual([]);
    const state = (await emu.current.state()) as {
      roleAssignments: { principalId: string; scope: string }[];
    };
    expect(state.roleAssignments.filter((a) => a.principalId === principalId).map((a) => a.scope)).toEqual([
      scope,
    ]);
  });

  it("an account that is not there is not found (3), named, and nothing is written", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.clearLog();
    const listed = await cli([
      "assign-role",
      "--assignee",
      principalId,
      ...ROLE,
      "--storage-account",
      "nosuchaccount",
    ]);
    expect(listed.code).toBe(3);
    expect(listed.stdout).toBe("");
    expect(listed.stderr).toMatch(/storage account 'nosuchaccount' was not found in subscription/);
    const inGroup = await cli([
      "assign-role",
      "--assignee",
      principalId,
      ...ROLE,
      "--storage-account",
      "msdocsarchive",
      "--storage-resource-group",
      RG,
    ]);
    expect(inGroup.code).toBe(3);
    expect(inGroup.stderr).toMatch(
      /storage account 'msdocsarchive' in resource group 'msdocs-sdk-auth-example' was not found/,
    );
    expect(await emu.current.writes()).toEqual([]);
  });

  it("a container that is not there is not found (3), listing the account's containers", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.clearLog();
    const r = await cli([
      "assign-role",
      "--assignee",
      principalId,
      ...ROLE,
      "--storage-account",
      "msdocsarchive",
      "--container",
      "nosuch",
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /container 'nosuch' was not found in storage account 'msdocsarchive'; its containers: logs, reports/,
    );
    expect(await emu.current.writes()).toEqual([]);
  });

  it.each([
    [
      [
        "--storage-account",
        "msdocsstorage",
        "--scope",
        "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590",
      ],
      /conflicting --storage-account and --scope/,
    ],
    [["--container", "msdocs-container", "-g", RG], /--container needs --storage-account/],
    [["--storage-resource-group", RG, "-g", RG], /--storage-resource-group needs --storage-account/],
    [["--storage-account", "msdocsstorage", "-g", RG], /conflicting -g and --storage-account/],
    [["--storage-account", "Not_An_Account"], /invalid storage account name 'Not_An_Account'/],
    [["--storage-account", "msdocsstorage", "--container", "Bad_Name"], /invalid --container 'Bad_Name'/],
    [
      ["--storage-account", "msdocsstorage", "--storage-resource-group", "bad/group"],
      /invalid resource group name/,
    ],
  ])("%j is a usage error (2) before any request", async (extra, message) => {
    await emu.current.clearLog();
    const r = await cli(["assign-role", "--assignee", DEFAULT_WORLD.operator.principalId, ...ROLE, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")[0]).toMatch(/^error: /);
    expect(await emu.current.armRequests()).toEqual([]);
  });
});
