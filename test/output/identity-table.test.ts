import { describe, expect, it } from "vitest";
import { identityChangeTable, showTable } from "../../src/output/identity-table.js";
import { renderTable } from "../../src/output/table.js";

const SITE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app";
const UAMI =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-1";

describe("identity tables", () => {
  it("show: a row per assignment per identity, system first; unreadable assignments say so", () => {
    const view = {
      principalId: "P",
      tenantId: "t",
      type: "SystemAssigned, UserAssigned",
      userAssignedIdentities: { [UAMI]: { principalId: "u", clientId: "c" } },
      resourceId: SITE,
      kind: "app",
      roleAssignments: [
        { principalId: "p", roleName: "Reader", scope: "/subscriptions/s" },
        {
          principalId: "U",
          roleName: "Storage Blob Data Reader",
          scope: "/subscriptions/s/resourceGroups/rg",
        },
      ],
    };
    expect(showTable(view).map((r) => [r.identity, r.role, r.identityType])).toEqual([
      ["system", "Reader", "SystemAssigned, UserAssigned"],
      ["id-1", "Storage Blob Data Reader", "SystemAssigned, UserAssigned"],
    ]);
    expect(showTable([{ ...view, roleAssignments: null }]).map((r) => r.role)).toEqual([
      "(not readable)",
      "(not readable)",
    ]);
    // The table keeps the type, which az's table would leave out under the key `type`.
    expect(renderTable(showTable(view)).split("\n")[0]).toMatch(
      /^Resource\s+IdentityType\s+Identity\s+PrincipalId\s+Role\s+Scope$/,
    );
  });

  it("enable/disable: the type of each result; a dry run's before and after", () => {
    expect(
      identityChangeTable([
        { principalId: "p", tenantId: "t", type: "SystemAssigned", resourceId: SITE, result: "updated" },
        {
          resourceId: SITE,
          result: "would-update",
          dryRun: true,
          before: { type: "None" },
          after: { type: "SystemAssigned" },
        },
      ]),
    ).toEqual([
      {
        resource: "app",
        identityType: "SystemAssigned",
        principalId: "p",
        tenantId: "t",
        result: "updated",
        resourceId: SITE,
      },
      {
        resource: "app",
        result: "would-update",
        identityTypeBefore: "None",
        identityTypeAfter: "SystemAssigned",
        resourceId: SITE,
      },
    ]);
  });
});
