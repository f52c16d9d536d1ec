// roles list and assign-role when what was typed matches no role, or looks misspelt.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });

function cli(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

describe("roles list: no match, closest names", () => {
  it("--name with no match prints [] (exit 0, as az does) and the closest names on stderr", async () => {
    const r = await cli(["roles", "list", "--name", "Storage Blob"]);
    expect(r.code).toBe(0);
    expect(json(r)).toEqual([]);
    expect(r.stderr).toBe(
      `warning: no role named 'Storage Blob' at /subscriptions/${emu.current.sub}; closest: 'Storage Blob Data Contributor', 'Storage Blob Data Owner', 'Storage Blob Data Reader', 'Storage Blob Delegator'\n`,
    );
    const guid = await cli(["roles", "list", "--name", "00000000-0000-4000-8000-000000000000"]);
    expect([guid.code, guid.stdout]).toEqual([0, "[]\n"]);
    expect(guid.stderr).toBe(
      `warning: no role definition with the GUID '00000000-0000-4000-8000-000000000000' at /subscriptions/${emu.current.sub}\n`,
    );
    // A match says nothing more and lists once.
    await emu.current.clearLog();
    const found = await cli(["roles", "list", "--name", "Storage Blob Delegator", "--query", "[].roleName"]);
    expect(json(found)).toEqual(["Storage Blob Delegator"]);
    expect(found.stderr).toBe("");
    expect((await emu.current.armRequests()).filter((q) => /roleDefinitions/i.test(q.path))).toHaveLength(1);
  });

  it("assign-role's suggestions for an unknown role prefer the names that contain it", async () => {
    const r = await cli(["assign-role", "--assignee", randomUUID(), "--role", "storage blob", "-g", RG]);
    // An unknown role is not found (3), as an unknown GUID is.
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^hint: did you mean 'Storage Blob Data Contributor', 'Storage Blob Data Owner', 'Storage Blob Data Reader', 'Storage Blob Delegator'\?/m,
    );
    expect(await emu.current.writes()).toEqual([]);
  });
});

describe("roles list --data-action", () => {
  it("a misspelt data action that only wildcards seem to grant gets a warning; a real one does not", async () => {
    const typo = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/wirte";
    const r = await cli(["roles", "list", "--data-action", typo, "--query", "[].roleName"]);
    expect(r.code).toBe(0);
    // Storage Blob Data Owner grants …/containers/blobs/* and so seems to grant the typo.
    expect(json<string[]>(r)).toContain("Storage Blob Data Owner");
    expect(r.stderr).toMatch(
      new RegExp(
        `^warning: no role lists the data action '${typo}' by that name and it is not one miauth knows`,
        "m",
      ),
    );
    const real = await cli([
      "roles",
      "list",
      "--data-action",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
      "--query",
      "[].roleName",
    ]);
    expect(json<string[]>(real)).toContain("Storage Blob Data Contributor");
    expect(real.stderr).toBe("");
  });
});
