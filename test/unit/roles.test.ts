// Pure role logic: permission wildcards, scopes, deterministic names, suggestions, flag parsing.
import { describe, expect, it } from "vitest";
import { assignmentName } from "../../src/azure/assignments.js";
import {
  filterRoles,
  isPrivilegedRole,
  parseRoleInput,
  type RoleView,
  suggestRoles,
} from "../../src/azure/roles.js";
import { isStorageScope, parseScope, scopeCovers, scopeLevel } from "../../src/azure/scope.js";
import { actionMatches, permits } from "../../src/azure/verify/permissions.js";
import { needsConfirmation, parseRoleOptions } from "../../src/commands/role-options.js";
import { parseDuration } from "../../src/commands/shared.js";
import { UsageError } from "../../src/errors.js";

const SUB = "11111111-2222-3333-4444-555555555555";
const BLOB_WRITE = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write";

function role(
  roleName: string,
  dataActions: string[],
  notDataActions: string[] = [],
  roleType = "BuiltInRole",
): RoleView {
  return {
    assignableScopes: ["/"],
    createdBy: null,
    createdOn: null,
    description: `${roleName} role`,
    id: `/providers/Microsoft.Authorization/roleDefinitions/${roleName}`,
    name: roleName.toLowerCase().replace(/\s/g, "-"),
    permissions: [{ actions: [], notActions: [], dataActions, notDataActions }],
    roleName,
    roleType,
    type: "Microsoft.Authorization/roleDefinitions",
    updatedBy: null,
    updatedOn: null,
  };
}

describe("permissions", () => {
  it.each([
    ["*", BLOB_WRITE, true],
    ["Microsoft.Storage/*", BLOB_WRITE, true],
    ["microsoft.storage/storageaccounts/blobservices/containers/blobs/*", BLOB_WRITE, true],
    ["Microsoft.Storage/*/write", BLOB_WRITE, true],
    ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", BLOB_WRITE, false],
    ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs", BLOB_WRITE, false],
    ["Microsoft.Sto.age/*", BLOB_WRITE, false],
  ])("%s matches %s: %s", (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  it("notDataActions take away what dataActions give, within one block", () => {
    const p = [{ dataActions: ["Microsoft.Storage/*"], notDataActions: [BLOB_WRITE] }];
    expect(permits(p, BLOB_WRITE, true)).toBe(false);
    expect(permits(p, BLOB_WRITE.replace("write", "read"), true)).toBe(true);
    expect(permits(p, BLOB_WRITE, false)).toBe(false); // control-plane actions are separate
  });
});

describe("scopes", () => {
  it.each([
    [`/subscriptions/${SUB}`, "subscription"],
    [`/subscriptions/${SUB}/resourceGroups/rg/`, "resourceGroup"],
    [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa`, "resource"],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa/blobServices/default/containers/c`,
      "resource",
    ],
    ["/providers/Microsoft.Management/managementGroups/mg1", "managementGroup"],
  ])("%s is a %s scope", (scope, level) => {
    expect(scopeLevel(parseScope(scope))).toBe(level);
  });

  it.each([
    "subscriptions/x",
    "/subscriptions/not-a-guid",
    `/subscriptions/${SUB}//resourceGroups/rg`,
    `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts`,
    `/subscriptions/${SUB}/groups/rg`,
    "/",
  ])("refuses %s", (scope) => {
    expect(() => parseScope(scope)).toThrow(/invalid --scope/);
  });

  it("knows parents and storage scopes", () => {
    const rg = `/subscriptions/${SUB}/resourceGroups/rg`;
    expect(scopeCovers(`/subscriptions/${SUB}`, `${rg}/providers/x/y/z`)).toBe(true);
    expect(scopeCovers(rg, `/subscriptions/${SUB}/resourceGroups/rg2`)).toBe(false);
    expect(
      isStorageScope(
        `${rg}/providers/Microsoft.Storage/storageAccounts/sa/blobServices/default/containers/c`,
      ),
    ).toBe(true);
    expect(isStorageScope(rg)).toBe(false);
  });
});

describe("assignment names", () => {
  it("are the same UUIDv5 for the same triple, whatever the casing, and differ otherwise", () => {
    const a = assignmentName(
      `/subscriptions/${SUB}/resourceGroups/RG`,
      "AAAAAAAA-0000-0000-0000-000000000000",
      "ROLE",
    );
    expect(a).toBe(
      assignmentName(
        `/subscriptions/${SUB}/resourcegroups/rg`,
        "aaaaaaaa-0000-0000-0000-000000000000",
        "role",
      ),
    );
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(
      assignmentName(
        `/subscriptions/${SUB}/resourceGroups/RG`,
        "aaaaaaaa-0000-0000-0000-000000000000",
        "other",
      ),
    );
  });
});

describe("roles", () => {
  const roles = [
    role("Storage Blob Data Contributor", [
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*",
    ]),
    role("Storage Blob Data Reader", [
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
    ]),
    role("Storage Queue Data Contributor", [
      "Microsoft.Storage/storageAccounts/queueServices/queues/messages/*",
    ]),
    role("My Custom Role", [], [], "CustomRole"),
  ];

  it("filters by data action, text and type", () => {
    expect(filterRoles(roles, { dataAction: BLOB_WRITE }).map((r) => r.roleName)).toEqual([
      "Storage Blob Data Contributor",
    ]);
    expect(filterRoles(roles, { search: "QUEUE" }).map((r) => r.roleName)).toEqual([
      "Storage Queue Data Contributor",
    ]);
    expect(filterRoles(roles, { customOnly: true }).map((r) => r.roleName)).toEqual(["My Custom Role"]);
    expect(filterRoles(roles, { name: "storage blob data reader" })).toHaveLength(1);
  });

  it("suggests the closest names for a typo", () => {
    expect(suggestRoles("Storage Blob Data Contribtor", roles)).toMatch(
      /^did you mean 'Storage Blob Data Contributor'/,
    );
  });

  it("reads names, GUIDs and role definition IDs", () => {
    expect(parseRoleInput("Reader")).toEqual({ kind: "name", value: "Reader" });
    expect(parseRoleInput("BA92F5B4-2D11-453D-A403-E96B0029C9FE").kind).toBe("guid");
    expect(
      parseRoleInput(
        `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
      ),
    ).toEqual({ kind: "guid", value: "ba92f5b4-2d11-453d-a403-e96b0029c9fe" });
    expect(() => parseRoleInput("/providers/Microsoft.Authorization/roleDefinitions/nope")).toThrow(
      /invalid --role ID/,
    );
  });

  it("knows the broad roles that need --yes at subscription scope", () => {
    expect(isPrivilegedRole("owner")).toBe(true);
    expect(isPrivilegedRole("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")).toBe(true);
    expect(isPrivilegedRole("Storage Blob Data Owner")).toBe(false);
    expect(needsConfirmation("Contributor", `/subscriptions/${SUB}`)).toBe(true);
    expect(needsConfirmation("Contributor", `/subscriptions/${SUB}/resourceGroups/rg`)).toBe(false);
  });
});

describe("assign-role flags", () => {
  const base = {
    assigneePrincipalType: "ServicePrincipal",
    principalWait: "3m",
    concurrency: "8",
    role: "Reader",
  };
  it("reads the guide's form", () => {
    const o = parseRoleOptions({
      ...base,
      assignee: ["AAAAAAAA-0000-0000-0000-000000000000"],
      resourceGroup: "rg",
    });
    expect(o).toMatchObject({
      scope: { resourceGroup: "rg" },
      assignees: { principalIds: ["aaaaaaaa-0000-0000-0000-000000000000"] },
      principalType: "ServicePrincipal",
      principalWaitMs: 180_000,
      concurrency: 8,
    });
  });
  it("uses -g for the target and --scope for the scope when both are given with a target", () => {
    const o = parseRoleOptions({
      ...base,
      webapp: "app1",
      resourceGroup: "rg",
      scope: `/subscriptions/${SUB}`,
    });
    expect(o.scope).toEqual({ scope: `/subscriptions/${SUB}` });
    expect("targets" in o.assignees && o.assignees.targets[0]?.resourceGroup).toBe("rg");
  });
  it.each([
    ["30s", 30_000],
    ["10m", 600_000],
    ["45", 45_000],
    ["0", 0],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["24h", 86_400_000],
    ["86400", 86_400_000],
  ])("parses the duration %s", (value, ms) => {
    expect(parseDuration("--x", value)).toBe(ms);
  });
  it.each([
    ["-1s", /invalid --x '-1s': use a whole number/],
    ["1.5", /use a whole number/],
    ["1.5s", /use a whole number/],
    ["1e3", /use a whole number/],
    ["5 m", /use a whole number/],
    ["5min", /use a whole number/],
    ["1 hour", /use a whole number/],
    ["10ms", /use a whole number/],
    ["5M", /use a whole number/],
    ["", /use a whole number/],
    ["s", /use a whole number/],
    [" 5s", /use a whole number/],
    ["30d", /at most 24h/],
    ["25h", /at most 24h/],
    ["1441m", /at most 24h/],
    ["86401", /at most 24h/],
    ["99999999999999999999", /at most 24h/],
  ])("refuses the duration %j", (value, message) => {
    expect(() => parseDuration("--x", value)).toThrow(UsageError);
    expect(() => parseDuration("--x", value)).toThrow(message);
  });
  it("zero is no wait, but not a positive duration (--timeout)", () => {
    expect(parseDuration("--wait", "0s")).toBe(0);
    expect(parseDuration("--timeout", "1s", { positive: true })).toBe(1000);
    for (const zero of ["0", "0s", "0m", "00"]) {
      expect(() => parseDuration("--timeout", zero, { positive: true })).toThrow(
        `invalid --timeout '${zero}': it must be more than 0`,
      );
    }
  });
});
