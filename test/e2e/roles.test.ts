// Step 2 of the guide: find the role, assign it to the new identity, idempotently and safely.
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const BLOB_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
const GUIDE_QUERY = "sort_by([].{roleName:roleName, description:description}, &roleName)";
const extraPrincipals = Array.from({ length: 100 }, () => randomUUID());
const emu = useEmulator({
  blob: false,
  replicationDelayMs: 60_000,
  seed: {
    ...DEFAULT_WORLD,
    principals: extraPrincipals.map((principalId, i) => ({
      principalId,
      type: "ServicePrincipal",
      displayName: `app-${i}`,
    })),
  } as typeof DEFAULT_WORLD,
});

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

interface Assignment {
  principalId: string;
  result: string;
  roleDefinitionName: string;
  scope: string;
  id: string | null;
  name: string | null;
  error?: { code: string | null; message: string };
}

async function assignmentsInState(
  principalId: string,
): Promise<{ scope: string; roleDefinitionId: string }[]> {
  const state = JSON.stringify(await emu.current.state());
  const all = (JSON.parse(state) as { roleAssignments: Record<string, unknown>[] }).roleAssignments;
  return all
    .map(
      (a) =>
        ((a.properties as Record<string, string>) ?? a) as unknown as {
          principalId: string;
          scope: string;
          roleDefinitionId: string;
        },
    )
    .filter((a) => a.principalId?.toLowerCase() === principalId.toLowerCase());
}

describe("roles list", () => {
  it("the guide's exact command prints the sorted table", async () => {
    const r = await cli(["roles", "list", "--query", GUIDE_QUERY, "--output", "table"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^RoleName\s+Description$/);
    expect(lines[1]).toMatch(/^-+\s+-+$/);
    const names = lines.slice(2).map((l) => l.split(/\s{2,}/)[0] ?? "");
    expect(names.length).toBeGreaterThan(30);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(names).toContain("Storage Blob Data Contributor");
    const pages = (await emu.current.armRequests()).filter((q) => /roleDefinitions$/i.test(q.path));
    expect(pages.length).toBeGreaterThan(1); // followed nextLink
    const plain = await cli(["roles", "list", "-o", "table"]);
    expect(plain.stdout).toBe(r.stdout);
  });

  it("--name finds a role case-insensitively with a server-side $filter", async () => {
    const r = await cli(["roles", "list", "--name", "storage blob data contributor"]);
    expect(r.code).toBe(0);
    const roles =
      json<{ roleName: string; name: string; roleType: string; permissions: { dataActions: string[] }[] }[]>(
        r,
      );
    expect(roles.map((x) => [x.roleName, x.name, x.roleType])).toEqual([
      ["Storage Blob Data Contributor", BLOB_CONTRIBUTOR, "BuiltInRole"],
    ]);
    expect(roles[0]?.permissions[0]?.dataActions.length).toBeGreaterThan(0);
    expect((await emu.current.armRequests()).filter((q) => /roleDefinitions/i.test(q.path))).toHaveLength(1);
  });

  it("--data-action finds the roles that grant a blob write, honouring wildcards", async () => {
    const r = await cli([
      "roles",
      "list",
      "--data-action",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
      "--query",
      "[].roleName",
    ]);
    const names = json<string[]>(r);
    expect(names).toContain("Storage Blob Data Contributor");
    expect(names).toContain("Storage Blob Data Owner");
    expect(names).not.toContain("Storage Blob Data Reader");
    expect(names).not.toContain("Owner");
  });
});

describe("assign-role", () => {
  it("enable then assign in the same second works during replication delay (principalType sent)", async () => {
    const enabled = json<{ principalId: string }>(await cli(["enable", "--webapp", "msdocs-web", "-g", RG]));
    await emu.current.clearLog();
    const r = await cli([
      "assign-role",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--role",
      "Storage Blob Data Contributor",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = json<Assignment>(r);
    expect(out).toMatchObject({
      principalId: enabled.principalId,
      result: "created",
      roleDefinitionName: "Storage Blob Data Contributor",
      scope: emu.current.rg(),
    });
    expect((await emu.current.writes()).map((w) => `${w.method} ${w.status}`)).toEqual(["PUT 201"]);

    // Without principalType the same principal is unknown to the directory: the delay is real.
    const name = randomUUID();
    const raw = await emu.current.arm(
      "PUT",
      `${emu.current.rg()}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`,
      {
        properties: {
          roleDefinitionId: `/subscriptions/${emu.current.sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
          principalId: enabled.principalId,
        },
      },
    );
    expect(raw.status).toBe(400);
    expect((raw.body.error as { code: string }).code).toBe("PrincipalNotFound");
  });

  it("a second run finds the assignment and writes nothing; one made under another name counts too", async () => {
    const principal = extraPrincipals[0] ?? "";
    const args = ["assign-role", "--assignee", principal, "--role", "Storage Blob Data Reader", "-g", RG];
    expect(json<Assignment>(await cli(args)).result).toBe("created");
    await emu.current.clearLog();
    const again = await cli(args);
    expect(json<Assignment>(again).result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);
    expect(await assignmentsInState(principal)).toHaveLength(1);

    // An assignment someone made earlier under a random name (as az and the portal do).
    const other = extraPrincipals[1] ?? "";
    const made = await emu.current.arm(
      "PUT",
      `${emu.current.rg()}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`,
      {
        properties: {
          roleDefinitionId: `/subscriptions/${emu.current.sub}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_CONTRIBUTOR}`,
          principalId: other,
          principalType: "ServicePrincipal",
        },
      },
    );
    expect(made.status).toBe(201);
    await emu.current.clearLog();
    const found = json<Assignment>(
      await cli(["assign-role", "--assignee", other, "--role", BLOB_CONTRIBUTOR, "-g", RG]),
    );
    expect(found.result).toBe("unchanged");
    expect(found.id).toBe(made.body.id);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("a misspelt role is exit 3 (not found, as an unknown GUID) with suggestions and no write", async () => {
    const r = await cli([
      "assign-role",
      "--assignee",
      extraPrincipals[2] ?? "",
      "--role",
      "Storage Blob Data Contribtor",
      "-g",
      RG,
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: unknown role 'Storage Blob Data Contribtor'$/m);
    expect(r.stderr).toMatch(/^hint: did you mean 'Storage Blob Data Contributor'/m);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("100 assignees with injected 429s and latency are all created exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assignees-"));
    const file = join(dir, "principals.txt");
    writeFileSync(file, `# one per line\n${extraPrincipals.join("\n")}\n\n`);
    await emu.current.fault(
      { method: "PUT", path: "roleAssignments" },
      { type: "status", status: 429, retryAfter: 1 },
      15,
    );
    await emu.current.fault({ method: "GET", path: "roleAssignments" }, { type: "latency", ms: 50 }, 100);
    const r = await cli([
      "assign-role",
      "--assignees-file",
      file,
      "--role",
      "Storage Queue Data Contributor",
      "-g",
      RG,
    ]);
    expect(r.code).toBe(0);
    const out = json<Assignment[]>(r);
    expect(out).toHaveLength(100);
    expect(new Set(out.map((o) => o.principalId))).toEqual(new Set(extraPrincipals));
    expect(out.every((o) => o.result === "created")).toBe(true);
    const writes = await emu.current.writes();
    expect(writes.filter((w) => w.status === 429)).toHaveLength(15);
    expect(writes.filter((w) => w.status === 201)).toHaveLength(100);
    const inState = await Promise.all(extraPrincipals.map((p) => assignmentsInState(p)));
    expect(inState.map((a) => a.length)).toEqual(extraPrincipals.map(() => 1));
    expect(r.stderr).toMatch(/429/);
    const again = json<Assignment[]>(
      await cli([
        "assign-role",
        "--assignees-file",
        file,
        "--role",
        "Storage Queue Data Contributor",
        "-g",
        RG,
      ]),
    );
    expect(again.every((o) => o.result === "unchanged")).toBe(true);
  });

  it("Owner at subscription scope without --yes and without a TTY is refused before any request", async () => {
    const r = await cli([
      "assign-role",
      "--assignee",
      extraPrincipals[3] ?? "",
      "--role",
      "Owner",
      "--scope",
      `/subscriptions/${emu.current.sub}`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to assign 'Owner' at subscription scope/);
    expect(r.stderr).toMatch(/--yes/);
    expect(await emu.current.requests()).toEqual([]);
  });

  it("--dry-run of Owner at subscription scope needs no --yes, and says the real run will", async () => {
    const r = await cli([
      "assign-role",
      "--assignee",
      extraPrincipals[3] ?? "",
      "--role",
      "Owner",
      "--scope",
      `/subscriptions/${emu.current.sub}`,
      "--dry-run",
    ]);
    expect(r.code).toBe(0);
    expect(json<Assignment>(r)).toMatchObject({ result: "would-create", roleDefinitionName: "Owner" });
    expect(r.stderr).toMatch(/broad control-plane role/);
    expect(r.stderr).toMatch(
      /warning: dry run: a real run needs --yes to assign 'Owner' at subscription scope/,
    );
    expect(await emu.current.writes()).toEqual([]);
  });

  it("warns that Contributor on a storage account grants no blob data access", async () => {
    const account = `${emu.current.rg()}/providers/Microsoft.Storage/storageAccounts/msdocsstorage`;
    const r = await cli([
      "assign-role",
      "--assignee",
      extraPrincipals[4] ?? "",
      "--role",
      "contributor",
      "--scope",
      account,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/broad control-plane role/);
    expect(r.stderr).toMatch(/grants no blob data access.*Storage Blob Data Contributor/);
  });

  it("--dry-run looks everything up and writes nothing", async () => {
    const r = await cli([
      "assign-role",
      "--assignee",
      extraPrincipals[5] ?? "",
      "--role",
      "Reader",
      "-g",
      RG,
      "--dry-run",
    ]);
    expect(json<Assignment>(r).result).toBe("would-create");
    expect(await emu.current.writes()).toEqual([]);
  });

  it("PrincipalNotFound despite principalType is exit 3 after --principal-wait, hinting at client vs object ID", async () => {
    // With principalType sent, the emulator (like ARM) accepts a principal it cannot find; this is ARM
    // still answering PrincipalNotFound, which miauth waits out.
    const principalId = randomUUID();
    await emu.current.fault(
      { method: "PUT", path: "/providers/Microsoft.Authorization/roleAssignments/" },
      {
        type: "status",
        status: 400,
        code: "PrincipalNotFound",
        message: `Principal ${principalId.replaceAll("-", "")} does not exist in the directory ${DEFAULT_WORLD.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
      },
      100,
    );
    const r = await cli([
      "assign-role",
      "--assignee",
      principalId,
      "--role",
      "Reader",
      "-g",
      RG,
      "--principal-wait",
      "2s",
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/PrincipalNotFound/); // the waiting notice
    expect(r.stderr).toMatch(/^error: principal .* was not found in the directory after waiting 2s/m);
    expect(r.stderr).toMatch(/principal \(object\) ID, not its client/);
  });

  it("a resource without an identity is refused with the enable command to run", async () => {
    const r = await cli(["assign-role", "--vm", "msdocs-vm", "-g", RG, "--role", "Reader"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /hint: enable it first: miauth enable --vm msdocs-vm -g msdocs-sdk-auth-example/,
    );
  });
});

describe("unassign-role and show", () => {
  it("show lists the identity's assignments; unassign removes it, then is unchanged", async () => {
    await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const args = ["--webapp", "msdocs-web", "-g", RG, "--role", "Storage Blob Data Contributor"];
    expect((await cli(["assign-role", ...args])).code).toBe(0);
    const shown = json<{ roleAssignments: { roleName: string; scope: string; inherited: boolean }[] }>(
      await cli(["show", "--webapp", "msdocs-web", "-g", RG]),
    );
    expect(shown.roleAssignments).toEqual([
      expect.objectContaining({
        roleName: "Storage Blob Data Contributor",
        scope: emu.current.rg(),
        inherited: true,
      }),
    ]);
    expect(json<Assignment>(await cli(["unassign-role", ...args])).result).toBe("deleted");
    await emu.current.clearLog();
    expect(json<Assignment>(await cli(["unassign-role", ...args])).result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);
  });

  it("reads roleDefinitionId in either form ARM sends it: tenant form, any case (show, assign-role)", async () => {
    await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const args = ["--webapp", "msdocs-web", "-g", RG, "--role", "Storage Blob Data Contributor"];
    expect((await cli(["assign-role", ...args])).code).toBe(0);
    // The REST spec's 2022-04-01 examples answer with the tenant form; this emulator (like az output)
    // uses the subscription form. Replay the real list in the tenant form, GUID upper-cased.
    const path = `/subscriptions/${emu.current.sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`;
    const listed = (await emu.current.api.arm("GET", path)).json as {
      value: { properties: { roleDefinitionId: string } }[];
    };
    const tenantForm = `/providers/Microsoft.Authorization/roleDefinitions/${BLOB_CONTRIBUTOR.toUpperCase()}`;
    listed.value = listed.value.filter((a) => a.properties.roleDefinitionId.endsWith(BLOB_CONTRIBUTOR));
    for (const a of listed.value) a.properties.roleDefinitionId = tenantForm;
    await emu.current.fault(
      { method: "GET", path: "/providers/Microsoft.Authorization/roleAssignments" },
      { type: "raw", contentType: "application/json; charset=utf-8", body: JSON.stringify(listed) },
      2,
    );
    await emu.current.clearLog();
    const shown = json<{ roleAssignments: { roleName: string; roleDefinitionId: string }[] }>(
      await cli(["show", "--webapp", "msdocs-web", "-g", RG]),
    );
    expect(shown.roleAssignments).toEqual([
      expect.objectContaining({ roleName: "Storage Blob Data Contributor", roleDefinitionId: tenantForm }),
    ]);
    expect(json<Assignment>(await cli(["assign-role", ...args])).result).toBe("unchanged");
    const paths = (await emu.current.armRequests()).map((q) => q.path);
    // The role is read under the subscription, where the operator's Owner applies, not at "/".
    expect(paths.filter((p) => p.startsWith("/providers/"))).toEqual([]);
    expect(paths).toContain(
      `/subscriptions/${emu.current.sub}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_CONTRIBUTOR.toUpperCase()}`,
    );
    expect(await emu.current.writes()).toEqual([]);
  });
});
