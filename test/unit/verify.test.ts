// Pure verify logic: RBAC evaluation, diagnosis and exit codes, JUnit and annotations, token claims.
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { evaluateAccess, neededPermissions, type RoleOfAssignment } from "../../src/azure/rbac-check.js";
import { decodeClaims } from "../../src/azure/token-info.js";
import { diagnose } from "../../src/azure/verify-hints.js";
import { exitCodeOf, type VerifyReport } from "../../src/azure/verify-report.js";
import { githubError, renderJunit } from "../../src/output/junit.js";

const ACCOUNT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct";
const BLOB = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";

function role(
  roleName: string,
  scope: string,
  p: RoleOfAssignment["permissions"][number],
  condition?: string,
): RoleOfAssignment {
  return { assignment: { scope, id: `${scope}/ra/${roleName}`, condition }, roleName, permissions: [p] };
}

describe("evaluateAccess", () => {
  const needed = neededPermissions("readwrite");
  const [, readBlobs] = needed;
  if (!readBlobs) throw new Error("neededPermissions lost the blob read");

  it("needs the same things as the data-plane probe for each access level", () => {
    expect(neededPermissions("read").map((n) => n.purpose)).toEqual([
      "list containers",
      "list and read blobs",
    ]);
    expect(neededPermissions("write").map((n) => n.purpose)).toEqual([
      "list containers",
      "write blobs",
      "delete blobs",
    ]);
    expect(needed).toHaveLength(4);
  });

  it("finds the inherited role that grants each permission", () => {
    const checks = evaluateAccess(
      [
        role("Storage Blob Data Contributor", "/subscriptions/s/resourceGroups/rg", {
          actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/*"],
          dataActions: [`${BLOB}/*`],
        }),
      ],
      ACCOUNT,
      needed,
    );
    expect(checks.every((c) => c.granted)).toBe(true);
    expect(checks[1]?.grantedBy[0]).toMatchObject({
      roleName: "Storage Blob Data Contributor",
      scope: "/subscriptions/s/resourceGroups/rg",
    });
  });

  it("Contributor lists containers but grants no data action; notDataActions and other scopes count", () => {
    const checks = evaluateAccess(
      [
        role("Contributor", "/subscriptions/s", {
          actions: ["*"],
          notActions: ["Microsoft.Authorization/*/Write"],
        }),
        role("No deletes", ACCOUNT, { dataActions: [`${BLOB}/*`], notDataActions: [`${BLOB}/delete`] }),
        role("Other account", `${ACCOUNT}2`, { dataActions: [`${BLOB}/*`] }),
      ],
      ACCOUNT,
      needed,
    );
    expect(checks.map((c) => [c.purpose, c.granted])).toEqual([
      ["list containers", true],
      ["list and read blobs", true],
      ["write blobs", true],
      ["delete blobs", false],
    ]);
  });

  it("reports a conditional assignment without counting it", () => {
    const [read] = evaluateAccess(
      [
        role(
          "Storage Blob Data Reader",
          ACCOUNT,
          { dataActions: [`${BLOB}/read`] },
          "@Resource[x] StringEquals 'y'",
        ),
      ],
      ACCOUNT,
      [readBlobs],
    );
    expect(read?.granted).toBe(false);
    expect(read?.conditional[0]?.condition).toMatch(/StringEquals/);
  });

  it("an assignment on one container covers only that container", () => {
    const checks = evaluateAccess(
      [
        role("Storage Blob Data Reader", `${ACCOUNT}/blobServices/default/containers/a`, {
          dataActions: [`${BLOB}/read`],
        }),
      ],
      `${ACCOUNT}/blobServices/default/containers/b`,
      [readBlobs],
    );
    expect(checks[0]?.granted).toBe(false);
  });
});

describe("diagnosis and exit codes", () => {
  const ctx = { account: "acct", access: "readwrite" };
  it.each([
    ["AuthorizationPermissionMismatch", 5, /no Azure RBAC data role/, true],
    ["AuthorizationFailure", 5, /firewall/, false],
    ["InvalidAuthenticationInfo", 4, /rejected the token/, false],
    ["ENOTFOUND", 1, /right storage account name/, false],
    ["NoManagedIdentity", 4, /no managed identity/, false],
    ["SomethingElse", 1, /boom/, false],
  ] as const)("%s -> exit %d", (code, exitCode, cause, retryable) => {
    const d = diagnose(code, "boom", ctx);
    expect(d.exitCode).toBe(exitCode);
    expect(d.cause).toMatch(cause);
    expect(d.retryable).toBe(retryable);
  });

  it("names the role to assign for the access level", () => {
    expect(diagnose("AuthorizationPermissionMismatch", "", { account: "a", access: "read" }).fix).toMatch(
      /Storage Blob Data Reader/,
    );
    expect(diagnose("AuthorizationPermissionMismatch", "", ctx).fix).toMatch(/Storage Blob Data Contributor/);
  });

  it("exit 6 only when --wait ran out on something waiting can fix", () => {
    const report = { result: "fail", waitExpired: true } as VerifyReport;
    expect(exitCodeOf(report, diagnose("AuthorizationPermissionMismatch", "", ctx))).toBe(6);
    expect(exitCodeOf(report, diagnose("AuthorizationFailure", "", ctx))).toBe(5);
    expect(exitCodeOf({ ...report, result: "pass" }, null)).toBe(0);
  });
});

describe("CI output", () => {
  it("renders JUnit with escaped text, per-step cases, failures and skips", () => {
    const xml = renderJunit("miauth verify", "miauth.verify.data-plane", [
      { name: "credential", status: "pass", ms: 12, code: null, message: null },
      {
        name: "list <containers>",
        status: "fail",
        ms: 1500,
        code: "AuthorizationPermissionMismatch",
        message: `a & b "c"`,
        cause: "why",
        fix: "how",
      },
      { name: "write-probe", status: "skip", ms: 0, code: null, message: "not needed" },
    ]);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite["@_tests"]).toBe("3");
    expect(suite["@_failures"]).toBe("1");
    expect(suite["@_skipped"]).toBe("1");
    expect(suite.testcase[1]["@_name"]).toBe("list <containers>");
    expect(suite.testcase[1]["@_time"]).toBe("1.500");
    expect(suite.testcase[1].failure["@_message"]).toBe(`AuthorizationPermissionMismatch: a & b "c"`);
    expect(suite.testcase[1].failure["#text"]).toBe("cause: why\nfix: how");
    expect(suite.testcase[2].skipped["@_message"]).toBe("not needed");
  });

  it("escapes GitHub workflow command data and properties", () => {
    expect(githubError("verify: a,b", "50% done\nnext")).toBe(
      "::error title=verify%3A a%2Cb::50%25 done%0Anext",
    );
  });

  it("decodes token claims without verifying, and survives garbage", () => {
    const payload = Buffer.from(JSON.stringify({ oid: "o", tid: "t" })).toString("base64url");
    expect(decodeClaims(`x.${payload}.y`)).toEqual({ oid: "o", tid: "t" });
    expect(decodeClaims("not-a-jwt")).toEqual({});
    expect(decodeClaims("a.%%%.b")).toEqual({});
  });
});
