// `disable` and the role assignments a removed system-assigned identity leaves behind ("Identity not
// found" in the portal): listed in the result, deleted with --remove-assignments after the identity is,
// shown by a dry run, and a re-run writes nothing.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";
import { miauthCommands, PLACEHOLDER, shellWords } from "../helpers/fixes.js";

const emu = useEmulator({ blob: false });

function cli(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

interface Orphan {
  id: string;
  principalId: string;
  roleName: string;
  scope: string;
  result: string;
  error?: { code: string | null; message: string; exitCode: number };
}
interface Disabled {
  result: string;
  type?: string;
  before?: { type: string };
  after?: { type: string };
  orphanedAssignments: Orphan[] | null;
}

const DISABLE = ["disable", "--webapp", "msdocs-web", "-g", RG];

/** The web app with a system identity holding two roles: one on the account, one on the group. */
async function arrange(): Promise<{ principalId: string; account: string }> {
  const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
  const account = `${emu.current.rg()}/providers/Microsoft.Storage/storageAccounts/msdocsstorage`;
  await emu.current.assignRole(principalId, "Storage Blob Data Contributor", account);
  await emu.current.assignRole(principalId, "Reader");
  await emu.current.clearLog();
  return { principalId, account };
}

async function assignmentsOf(principalId: string) {
  const state = (await emu.current.state()) as {
    roleAssignments: { principalId: string; scope: string; roleDefinitionName: string }[];
  };
  return state.roleAssignments.filter((a) => a.principalId === principalId);
}

describe("disable and the identity's role assignments", () => {
  it("a dry run lists them (would-delete with --remove-assignments) and writes nothing", async () => {
    const { principalId, account } = await arrange();
    const r = await cli([...DISABLE, "--remove-assignments", "--dry-run"]);
    expect(r.code).toBe(0);
    const out = json<Disabled>(r);
    expect(out.result).toBe("would-update");
    expect(out.orphanedAssignments?.map((o) => [o.roleName, o.scope, o.result]).sort()).toEqual([
      ["Reader", emu.current.rg(), "would-delete"],
      ["Storage Blob Data Contributor", account, "would-delete"],
    ]);
    expect(out.orphanedAssignments?.every((o) => o.principalId === principalId)).toBe(true);
    expect(r.stderr).toMatch(
      /2 role assignment\(s\) of the identity of web app 'msdocs-web'.* would be left behind/,
    );
    const plain = json<Disabled>(await cli([...DISABLE, "--dry-run"]));
    expect(plain.orphanedAssignments?.map((o) => o.result)).toEqual(["kept", "kept"]);
    expect(await emu.current.writes()).toEqual([]);
    expect(await assignmentsOf(principalId)).toHaveLength(2);
  });

  it("--remove-assignments deletes them after the identity, and a re-run writes nothing", async () => {
    const { principalId } = await arrange();
    const r = await cli([...DISABLE, "--remove-assignments"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = json<Disabled>(r);
    expect(out.result).toBe("updated");
    expect(out.type).toBe("None");
    expect(out.orphanedAssignments?.map((o) => o.result)).toEqual(["deleted", "deleted"]);
    const writes = (await emu.current.writes()).map((w) => `${w.method} ${w.status}`);
    expect(writes).toEqual(["PATCH 200", "DELETE 200", "DELETE 200"]);
    expect(await assignmentsOf(principalId)).toEqual([]);

    await emu.current.clearLog();
    const again = await cli([...DISABLE, "--remove-assignments"]);
    expect(again.code).toBe(0);
    expect(json<Disabled>(again)).toMatchObject({ result: "unchanged", orphanedAssignments: [] });
    expect(await emu.current.writes()).toEqual([]);
  });

  it("without the flag they stay, listed, with commands that delete them as printed", async () => {
    const { principalId } = await arrange();
    const r = await cli(DISABLE);
    expect(r.code).toBe(0);
    const out = json<Disabled>(r);
    expect(out.orphanedAssignments?.map((o) => o.result)).toEqual(["kept", "kept"]);
    expect(await assignmentsOf(principalId)).toHaveLength(2);
    const commands = miauthCommands(r.stderr);
    expect(commands).toHaveLength(2);
    for (const command of commands) {
      expect(command).not.toMatch(PLACEHOLDER);
      const [bin, ...args] = shellWords(command);
      expect(bin).toBe("miauth");
      const ran = await cli(args);
      expect(ran.code).toBe(0);
      expect(json<{ result: string }>(ran).result).toBe("deleted");
    }
    expect(await assignmentsOf(principalId)).toEqual([]);
  });

  it("a delete that fails is reported (exit 5) after the identity change, the others still deleted", async () => {
    const { principalId } = await arrange();
    await emu.current.fault(
      { method: "DELETE", path: "roleAssignments" },
      {
        type: "status",
        status: 403,
        code: "AuthorizationFailed",
        message:
          "The client 'x' with object id 'x' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/delete' over scope 'x' or the scope is invalid.",
      },
    );
    const r = await cli([...DISABLE, "--remove-assignments"]);
    expect(r.code).toBe(5);
    const out = json<Disabled>(r);
    expect(out.type).toBe("None");
    expect(out.orphanedAssignments?.map((o) => o.result).sort()).toEqual(["deleted", "failed"]);
    expect(out.orphanedAssignments?.find((o) => o.result === "failed")?.error?.code).toBe(
      "AuthorizationFailed",
    );
    expect(r.stderr).toMatch(
      /error: the identity was removed, but 1 of 2 of its role assignments could not be deleted/,
    );
    expect(await assignmentsOf(principalId)).toHaveLength(1);
  });

  it("--remove-assignments with --user-assigned is a usage error before any request", async () => {
    const r = await cli([
      ...DISABLE,
      "--user-assigned",
      emu.current.uamiId("msdocs-uami"),
      "--remove-assignments",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--remove-assignments is for the system-assigned identity/);
    expect(await emu.current.armRequests()).toEqual([]);
  });
});
