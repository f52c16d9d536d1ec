// What -o table shows for identities (the type, one row per role assignment), and the one shape every
// mutating command's dry run prints.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false, replicationDelayMs: 0 });

function cli(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

/** A table's rows as header -> cell maps (columns are split on runs of two or more spaces). */
function rows(table: string): Record<string, string>[] {
  const [head = "", rule = "", ...body] = table.trimEnd().split("\n");
  // Column starts from the dashed rule under the headers.
  const starts = [...rule.matchAll(/-+/g)].map((m) => m.index ?? 0);
  const cut = (line: string) => starts.map((s, i) => line.slice(s, starts[i + 1]).trim());
  const headers = cut(head);
  return body.map((line) => Object.fromEntries(cut(line).map((cell, i) => [headers[i] ?? "", cell])));
}

interface ShowView {
  principalId: string | null;
  type: string;
  userAssignedIdentities: Record<string, { principalId: string }> | null;
  roleAssignments: { principalId: string; roleName: string; scope: string }[] | null;
}

describe("-o table for identities", () => {
  it("show: the identity type and one row per role assignment of each identity; the JSON keeps its fields", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.assignRole(principalId, "Storage Blob Data Reader");
    await emu.current.assignRole(principalId, "Reader");
    const table = await cli(["show", "--webapp", "msdocs-web", "-g", RG, "-o", "table"]);
    expect(table.code).toBe(0);
    expect(rows(table.stdout)).toEqual(
      expect.arrayContaining(
        ["Storage Blob Data Reader", "Reader"].map((role) => ({
          Resource: "msdocs-web",
          IdentityType: "SystemAssigned",
          Identity: "system",
          PrincipalId: principalId,
          Role: role,
          Scope: emu.current.rg(),
        })),
      ),
    );
    expect(rows(table.stdout)).toHaveLength(2);

    const shown = json<ShowView>(await cli(["show", "--webapp", "msdocs-web", "-g", RG]));
    expect(Object.keys(shown)).toEqual([
      "principalId",
      "tenantId",
      "type",
      "userAssignedIdentities",
      "resourceId",
      "kind",
      "roleAssignments",
    ]);
    expect(shown.roleAssignments?.map((a) => a.roleName).sort()).toEqual([
      "Reader",
      "Storage Blob Data Reader",
    ]);
  });

  it("show: a user-assigned identity by name, a row even without assignments; --query still wins", async () => {
    const func = await cli(["show", "--functionapp", "msdocs-func", "-g", RG, "-o", "table"]);
    const uami = json<ShowView>(await cli(["show", "--functionapp", "msdocs-func", "-g", RG]));
    const [uamiPrincipal] = Object.values(uami.userAssignedIdentities ?? {}).map((u) => u.principalId);
    expect(rows(func.stdout)).toEqual([
      {
        Resource: "msdocs-func",
        IdentityType: "UserAssigned",
        Identity: "msdocs-uami",
        PrincipalId: uamiPrincipal,
        Role: "",
        Scope: "",
      },
    ]);
    const vm = await cli(["show", "--vm", "msdocs-vm", "-g", RG, "-o", "table"]);
    expect(rows(vm.stdout)).toEqual([
      { Resource: "msdocs-vm", IdentityType: "None", Identity: "", PrincipalId: "", Role: "", Scope: "" },
    ]);
    const queried = await cli(["show", "--vm", "msdocs-vm", "-g", RG, "--query", "{t:type}", "-o", "table"]);
    expect(rows(queried.stdout)).toEqual([{ T: "None" }]);
  });

  it("enable and disable: the identity type (before and after in a dry run)", async () => {
    const enabled = await cli(["enable", "--webapp", "msdocs-web", "-g", RG, "-o", "table"]);
    expect(rows(enabled.stdout)).toEqual([
      expect.objectContaining({ Resource: "msdocs-web", IdentityType: "SystemAssigned", Result: "updated" }),
    ]);
    const dry = await cli(["disable", "--webapp", "msdocs-web", "-g", RG, "--dry-run", "-o", "table"]);
    expect(rows(dry.stdout)).toEqual([
      expect.objectContaining({
        Resource: "msdocs-web",
        Result: "would-update",
        IdentityTypeBefore: "SystemAssigned",
        IdentityTypeAfter: "None",
      }),
    ]);
  });
});

describe("dry runs share one shape", () => {
  it("enable, disable, assign-role and unassign-role: {result: would-…|unchanged, dryRun, before, after}, no write", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.assignRole(principalId, "Reader");
    await emu.current.clearLog();
    const target = ["--webapp", "msdocs-web", "-g", RG];
    const enable = json(await cli(["enable", "--vm", "msdocs-vm", "-g", RG, "--dry-run"]));
    const disable = json(await cli(["disable", ...target, "--dry-run"]));
    const assign = json(
      await cli(["assign-role", ...target, "--role", "Storage Blob Data Reader", "--dry-run"]),
    );
    const unassign = json(await cli(["unassign-role", ...target, "--role", "Reader", "--dry-run"]));
    const already = json(await cli(["assign-role", ...target, "--role", "Reader", "--dry-run"]));
    const nothing = json(await cli(["unassign-role", ...target, "--role", "Owner", "--dry-run"]));
    expect(await emu.current.writes()).toEqual([]);

    expect(enable).toMatchObject({ result: "would-update", dryRun: true, before: { type: "None" } });
    expect(enable.after).toMatchObject({ type: "SystemAssigned" });
    expect(disable).toMatchObject({
      result: "would-update",
      dryRun: true,
      before: { type: "SystemAssigned" },
    });
    expect(disable.after).toMatchObject({ type: "None" });

    const scope = emu.current.rg();
    const assignment = (role: string) =>
      expect.objectContaining({ principalId, roleDefinitionName: role, scope, name: expect.any(String) });
    expect(assign).toMatchObject({ result: "would-create", dryRun: true, before: null });
    expect(assign.after).toEqual(assignment("Storage Blob Data Reader"));
    // The ID the real run will create: the deterministic name under the scope.
    expect((assign.after as { id: string }).id).toBe(
      `${scope}/providers/Microsoft.Authorization/roleAssignments/${(assign as { name: string }).name}`,
    );
    expect(unassign).toMatchObject({ result: "would-delete", dryRun: true, after: null });
    expect(unassign.before).toEqual(assignment("Reader"));
    expect(already).toMatchObject({ result: "unchanged", dryRun: true });
    expect(already.before).toEqual(assignment("Reader"));
    expect(already.after).toEqual(already.before);
    expect(nothing).toMatchObject({ result: "unchanged", dryRun: true, before: null, after: null });
    for (const r of [enable, disable, assign, unassign, already, nothing])
      expect(Object.keys(r)).toEqual(expect.arrayContaining(["result", "dryRun", "before", "after"]));
  });
});
