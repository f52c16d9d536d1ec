// The operator with Reader only: reads work, the write is refused by the emulator's authorization
// (from the operator's role assignments, not an injected fault) with exit 5 naming action and scope.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const readerWorld = {
  ...DEFAULT_WORLD,
  roleAssignments: DEFAULT_WORLD.roleAssignments.map((a) => ({ ...a, roleDefinitionName: "Reader" })),
};
const emu = useEmulator({ blob: false, seed: readerWorld });

describe("an operator with Reader only", () => {
  it("can show, and --dry-run reads without writing", async () => {
    const env = emu.current.env;
    expect((await runCli(["show", "--webapp", "msdocs-web", "-g", RG], { env })).code).toBe(0);
    const dry = await runCli(["enable", "--webapp", "msdocs-web", "-g", RG, "--dry-run"], { env });
    expect(json(dry).result).toBe("would-update");
  });

  it("is refused the write with exit 5, the action and the scope", async () => {
    const r = await runCli(["enable", "--vm", "msdocs-vm", "-g", RG], { env: emu.current.env });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: permission denied: .*'Microsoft\\.Compute/virtualMachines/write' on '${emu.current.vmId("msdocs-vm")}'`,
        "m",
      ),
    );
    expect(r.stderr).toMatch(/^hint: /m);
    const writes = await emu.current.writes();
    expect(writes.map((w) => w.status)).toEqual([403]); // a 403 is not retried
  });
});

describe("an operator with Reader only, assigning a role", () => {
  it("gets exit 5 naming Microsoft.Authorization/roleAssignments/write and the scope", async () => {
    const principal = "5a0b7c2e-1d3f-4e5a-9b6c-7d8e9f0a1b2c";
    const r = await runCli(
      ["assign-role", "--assignee", principal, "--role", "Storage Blob Data Reader", "-g", RG],
      {
        env: emu.current.env,
      },
    );
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/'Microsoft\.Authorization\/roleAssignments\/write'/);
    expect(r.stderr).toContain(`${emu.current.rg()}/providers/Microsoft.Authorization/roleAssignments/`);
  });
});
