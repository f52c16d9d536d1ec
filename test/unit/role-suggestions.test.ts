// Which role names "did you mean" offers, and which --data-action looks misspelt (pure).
import { describe, expect, it } from "vitest";
import { isUnknownDataAction, KNOWN_DATA_ACTIONS } from "../../src/azure/data-actions.js";
import { closestRoleNames, type RoleView, suggestRoles } from "../../src/azure/roles.js";
import { BUILTIN_ROLE_DATA } from "../../src/emulator/rbac/builtin-roles.js";

const NAMES = BUILTIN_ROLE_DATA.map((r) => r.roleName);
const BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";

function role(roleName: string, dataActions: string[]): RoleView {
  return {
    assignableScopes: ["/"],
    createdBy: null,
    createdOn: null,
    description: "",
    id: `/providers/Microsoft.Authorization/roleDefinitions/${roleName}`,
    name: roleName,
    permissions: [{ actions: [], notActions: [], dataActions, notDataActions: [] }],
    roleName,
    roleType: "BuiltInRole",
    type: "Microsoft.Authorization/roleDefinitions",
    updatedBy: null,
    updatedOn: null,
  };
}

describe("closestRoleNames", () => {
  it("names that contain what was typed come first: 'Storage Blob' gives the four Storage Blob roles", () => {
    expect(closestRoleNames("Storage Blob", NAMES)).toEqual([
      "Storage Blob Data Contributor",
      "Storage Blob Data Owner",
      "Storage Blob Data Reader",
      "Storage Blob Delegator",
    ]);
    expect(closestRoleNames("  storage   BLOB ", NAMES)).toHaveLength(4);
  });

  it("then names that contain every word typed, then the nearest by edit distance", () => {
    expect(closestRoleNames("blob reader", NAMES)).toEqual(["Storage Blob Data Reader"]);
    expect(closestRoleNames("Storage Blob Data Contribtor", NAMES)[0]).toBe("Storage Blob Data Contributor");
    expect(
      closestRoleNames("Redaer", ["Reader", "Owner", "Contributor", "Storage Blob Data Reader"]),
    ).toEqual(["Reader", "Owner", "Contributor"]);
  });

  it("offers at most five and each name once", () => {
    const many = Array.from({ length: 9 }, (_, i) => `Data Role ${i}`);
    expect(closestRoleNames("data role", [...many, ...many])).toEqual(many.slice(0, 5));
    expect(closestRoleNames("x", [])).toEqual([]);
  });

  it("suggestRoles words it as a question with the way to search", () => {
    expect(
      suggestRoles(
        "Storage Blob",
        NAMES.map((n) => role(n, [])),
      ),
    ).toBe(
      "did you mean 'Storage Blob Data Contributor', 'Storage Blob Data Owner', 'Storage Blob Data Reader', 'Storage Blob Delegator'? (miauth roles list --search \"Storage Blob\")",
    );
    expect(suggestRoles("x", [])).toBe("list the roles with: miauth roles list");
  });
});

describe("isUnknownDataAction", () => {
  const roles = [role("Contributor-ish", [`${BLOBS}/*`]), role("Reader-ish", [`${BLOBS}/read`])];

  it("a data action a role lists by name, or one miauth knows, is fine", () => {
    expect(isUnknownDataAction(`${BLOBS}/READ`, roles)).toBe(false);
    expect(isUnknownDataAction(`${BLOBS}/write`, roles)).toBe(false);
    expect(isUnknownDataAction(`${BLOBS}/tags/read`, [])).toBe(false);
    expect(isUnknownDataAction(`${BLOBS}/*`, [])).toBe(false);
    expect(KNOWN_DATA_ACTIONS).toContain(
      "Microsoft.Storage/storageAccounts/queueServices/queues/messages/read",
    );
  });

  it("a misspelt one that only a wildcard seems to grant is unknown", () => {
    expect(isUnknownDataAction(`${BLOBS}/wirte`, roles)).toBe(true);
    expect(
      isUnknownDataAction("Microsoft.Storage/storageAccounts/blobServices/containers/blob/write", roles),
    ).toBe(true);
  });
});
