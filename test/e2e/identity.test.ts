// `miauth identity create/show/list/delete`: user-assigned identities through @azure/arm-msi. Create is
// idempotent (a re-run writes nothing), delete is refused while a host uses the identity and names it.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });

function cli(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

interface Made {
  id: string;
  name: string;
  principalId: string;
  clientId: string;
  tenantId: string;
  location: string;
  result: string;
}

describe("miauth identity", () => {
  it("create makes the identity in the group's location, and a re-run is unchanged with zero writes", async () => {
    const r = await cli(["identity", "create", "msdocs-shared", "-g", RG]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const made = json<Made>(r);
    expect(Object.keys(made).sort()).toEqual(
      ["clientId", "id", "location", "name", "principalId", "result", "tenantId"].sort(),
    );
    expect(made).toMatchObject({
      id: emu.current.uamiId("msdocs-shared"),
      name: "msdocs-shared",
      location: "eastus",
      tenantId: emu.handle.tenantId,
      result: "created",
    });
    expect(made.principalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.clientId).not.toBe(made.principalId);
    const puts = await emu.current.writes();
    expect(puts.map((w) => `${w.method} ${w.status}`)).toEqual(["PUT 201"]);

    await emu.current.clearLog();
    const again = await cli(["identity", "create", "msdocs-shared", "-g", RG]);
    expect(again.code).toBe(0);
    expect(json<Made>(again)).toEqual({ ...made, result: "unchanged" });
    expect(await emu.current.writes()).toEqual([]);

    // Another location for the same name: refused before any write, as ARM would refuse to move it.
    const moved = await cli(["identity", "create", "msdocs-shared", "-g", RG, "--location", "westus"]);
    expect(moved.code).toBe(2);
    expect(moved.stderr).toContain("is in location 'eastus', not 'westus'");
    expect(await emu.current.writes()).toEqual([]);
  });

  it("create whose PUT reply is lost after it took effect looks, and reports the identity created", async () => {
    await emu.current.fault(
      { method: "PUT", path: "userAssignedIdentities" },
      { type: "drop", apply: true },
      10,
    );
    const r = await cli(["identity", "create", "msdocs-lost", "-g", RG]);
    expect(r.code, r.stderr).toBe(0);
    const made = json<Made>(r);
    expect(made).toMatchObject({ name: "msdocs-lost", result: "created" });
    expect(made.clientId).toMatch(/^[0-9a-f-]{36}$/);
    await emu.current.clearFaults();
    // Dropped before ARM saw it: nothing there, so the error stands.
    await emu.current.fault(
      { method: "PUT", path: "userAssignedIdentities" },
      { type: "drop", apply: false },
      10,
    );
    const lost = await cli(["identity", "create", "msdocs-never", "-g", RG]);
    expect(lost.code).toBe(1);
    await emu.current.clearFaults();
    const shown = await cli(["identity", "show", "msdocs-never", "-g", RG]);
    expect(shown.code).toBe(3);
  });

  it("create --dry-run writes nothing; bad names are usage errors before any request", async () => {
    const dry = await cli([
      "identity",
      "create",
      "msdocs-new",
      "-g",
      RG,
      "--location",
      "westus",
      "--dry-run",
    ]);
    expect(dry.code).toBe(0);
    expect(json<Made>(dry)).toMatchObject({ result: "would-create", location: "westus" });
    expect(await emu.current.writes()).toEqual([]);
    await emu.current.clearLog();
    for (const args of [
      ["identity", "create", "x", "-g", RG],
      ["identity", "create", "msdocs-new"],
      ["identity", "show", "msdocs-uami", "-g", RG, "--ids", emu.current.uamiId("msdocs-uami")],
      ["identity", "show", "--ids", emu.current.siteId("msdocs-web")],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")[0]).toMatch(/^error: /);
    }
    expect(await emu.current.armRequests()).toEqual([]);
  });

  it("show (by name or --ids) and list give the IDs; show names where it is attached", async () => {
    const byName = await cli(["identity", "show", "msdocs-uami", "-g", RG]);
    expect(byName.code).toBe(0);
    const shown = json<Made & { attachedTo: { kind: string; id: string }[] }>(byName);
    expect(shown).toMatchObject({
      name: "msdocs-uami",
      principalId: "c2f4e6a8-1b3d-4f5a-9c7e-2d4f6a8b0c1e",
      clientId: "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b",
    });
    expect(shown.attachedTo).toEqual([{ kind: "webapp", id: emu.current.siteId("msdocs-func") }]);
    const byId = await cli(["identity", "show", "--ids", emu.current.uamiId("msdocs-uami")]);
    expect(json(byId)).toEqual(shown);

    const missing = await cli(["identity", "show", "nobody-here", "-g", RG]);
    expect(missing.code).toBe(3);

    await cli(["identity", "create", "msdocs-shared", "-g", RG]);
    const list = await cli(["identity", "list", "-g", RG]);
    expect(list.code).toBe(0);
    expect(json<Made[]>(list).map((u) => u.name)).toEqual(["msdocs-shared", "msdocs-uami"]);
  });

  it("delete is refused while attached (naming where), lists the assignments left behind, and --force deletes", async () => {
    const uami = emu.current.uamiId("msdocs-uami");
    const principalId = "c2f4e6a8-1b3d-4f5a-9c7e-2d4f6a8b0c1e";
    // Also on the VM and the staging slot.
    for (const id of [emu.current.vmId("msdocs-vm"), `${emu.current.siteId("msdocs-web")}/slots/staging`]) {
      const r = await cli(["enable", "--ids", id, "--user-assigned", uami, "--no-system-assigned"]);
      expect(r.code, r.stderr).toBe(0);
    }
    await emu.current.assignRole(principalId, "Storage Blob Data Reader");
    await emu.current.clearLog();

    const refused = await cli(["identity", "delete", "msdocs-uami", "-g", RG]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`webapp ${emu.current.siteId("msdocs-func")}`);
    expect(refused.stderr).toContain(`slot ${emu.current.siteId("msdocs-web")}/slots/staging`);
    expect(refused.stderr).toContain(`vm ${emu.current.vmId("msdocs-vm")}`);
    expect(refused.stdout).toBe("");
    expect(await emu.current.writes()).toEqual([]);

    const forced = await cli(["identity", "delete", "msdocs-uami", "-g", RG, "--force"]);
    expect(forced.code).toBe(0);
    const out = json<{
      result: string;
      found: boolean;
      attachedTo: unknown[];
      orphanedAssignments: { roleName: string; scope: string }[];
    }>(forced);
    expect(out.result).toBe("deleted");
    expect(out.attachedTo).toHaveLength(3);
    expect(out.orphanedAssignments.map((a) => [a.roleName, a.scope])).toEqual([
      ["Storage Blob Data Reader", emu.current.rg()],
    ]);
    expect(forced.stderr).toContain("'Storage Blob Data Reader'");
    expect((await emu.current.writes()).map((w) => `${w.method} ${w.status}`)).toEqual(["DELETE 200"]);

    // Gone: as az, a delete of a missing identity succeeds; miauth says so and sends no DELETE.
    await emu.current.clearLog();
    const again = await cli(["identity", "delete", "msdocs-uami", "-g", RG]);
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({ result: "unchanged", found: false });
    expect(again.stderr).toContain("was not found");
    expect(await emu.current.writes()).toEqual([]);
  });
});
