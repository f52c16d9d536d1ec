// Scopes, resource IDs and role IDs are parsed into segments and rebuilt: nothing a URL layer would
// reinterpret (`..`, `%2e`, `?`, `#`, `\`, `//`) gets through as text.
import { describe, expect, it } from "vitest";
import { parseResourceId, parseUserAssignedId, segmentProblem } from "../../src/azure/ids.js";
import { parseRoleInput } from "../../src/azure/roles.js";
import { parseScope } from "../../src/azure/scope.js";
import { parseTargetId } from "../../src/azure/target.js";
import { UsageError } from "../../src/errors.js";

const SUB = "11111111-2222-3333-4444-555555555555";
const RG = `/subscriptions/${SUB}/resourceGroups/rg`;
const STORE = `${RG}/providers/Microsoft.Storage/storageAccounts/sa`;
const CONTAINER = `${STORE}/blobServices/default/containers/data`;

describe("parseScope rebuilds what it accepts", () => {
  it.each([
    [`/subscriptions/${SUB}`, `/subscriptions/${SUB}`],
    [`/SUBSCRIPTIONS/${SUB.toUpperCase()}/`, `/subscriptions/${SUB}`],
    [`/subscriptions/${SUB}/resourcegroups/rg`, RG],
    [`${RG}/`, RG],
    [`${RG}/PROVIDERS/Microsoft.Storage/storageAccounts/sa`, STORE],
    [CONTAINER, CONTAINER],
    [`/subscriptions/${SUB}/resourceGroups/my.group(1)`, `/subscriptions/${SUB}/resourceGroups/my.group(1)`],
    [`/subscriptions/${SUB}/resourceGroups/grüppe`, `/subscriptions/${SUB}/resourceGroups/grüppe`],
    [
      `${STORE}/providers/Microsoft.Insights/diagnosticSettings/d1`,
      `${STORE}/providers/Microsoft.Insights/diagnosticSettings/d1`,
    ],
    [
      `${RG}/providers/Microsoft.Storage/storageAccounts/providers`,
      `${RG}/providers/Microsoft.Storage/storageAccounts/providers`,
    ],
    [
      "/providers/microsoft.management/managementgroups/mg1",
      "/providers/Microsoft.Management/managementGroups/mg1",
    ],
  ])("%s -> %s", (input, canonical) => {
    expect(parseScope(input)).toBe(canonical);
  });
});

describe("parseScope refuses what could climb or be reread", () => {
  it.each([
    // the reproductions
    [`${RG}/providers/../../..`, /'\.\.' is not a name/],
    [`${RG}/providers/%2e%2e/%2e%2e/%2e%2e`, /contains '%'/],
    [`${CONTAINER}/..`, /'\.\.' is not a name/],
    [`${CONTAINER}/\uff0e\uff0e`, /'\.\.' is not a name once normalized/],
    [`${STORE}?api-version=1`, /contains '\?'/],
    [`${STORE}#x`, /contains '#'/],
    [`/subscriptions/${SUB}/resourceGroups/rg%2Fproviders`, /contains '%'/],
    // dots, escapes and separators
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/.`,
      /'\.' is not a name/,
    ],
    [`/subscriptions/${SUB}/resourceGroups/..`, /'\.\.' is not a name/],
    [`/subscriptions/${SUB}/resourceGroups/...`, /'\.\.\.' is not a name/],
    [`${STORE}/blobServices/default/containers/%2e%2e`, /contains '%'/],
    [`${STORE}\\..\\..`, /contains '\\'/],
    [`/subscriptions/${SUB}/resourceGroups/rg\\x`, /contains '\\'/],
    [`${RG}//providers/Microsoft.Storage/storageAccounts/sa`, /empty segment/],
    [`${RG}//`, /empty segment/],
    [`//subscriptions/${SUB}`, /empty segment/],
    // whitespace, control and invisible characters
    [` /subscriptions/${SUB}`, /must start with \//],
    [`/subscriptions/${SUB} `, /contains U\+0020/],
    [`${RG}\n`, /contains U\+000A/],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/s\ta`, /contains U\+0009/],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/sa\u200b`, /contains U\+200B/],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/sa\u001b[31m`, /contains U\+001B/],
    // structure
    ["subscriptions/x", /must start with \//],
    ["/", /root scope/],
    ["", /must start with \//],
    ["/subscriptions/not-a-guid", /not a GUID/],
    [`/subscriptions/${SUB}/groups/rg`, /expected resourceGroups/],
    [`/subscriptions/${SUB}/resourceGroups`, /expected resourceGroups/],
    [`/subscriptions/${SUB}/providers/Microsoft.Storage/storageAccounts/sa`, /expected resourceGroups/],
    [`${RG}/providers/Microsoft.Storage/storageAccounts`, /has no name after it/],
    [`${RG}/providers/Microsoft.Storage`, /expected \{type\}\/\{name\}/],
    [`${RG}/providers`, /expected \/providers/],
    [`${RG}/resources/Microsoft.Storage/storageAccounts/sa`, /expected \/providers/],
    [`${RG}/providers/Storage/storageAccounts/sa`, /expected \/providers/],
    [`${RG}/providers/Microsoft.Storage/storage-accounts/sa`, /not a resource type/],
    [`${STORE}/blobServices`, /has no name after it/],
    [`${STORE}/providers`, /expected \/providers/],
    ["/providers/Microsoft.Management/managementGroups/..", /'\.\.' is not a name/],
    ["/providers/Microsoft.Management/managementGroups/mg1/x", /unsupported provider-level scope/],
    ["/providers/Microsoft.Storage/storageAccounts/sa", /unsupported provider-level scope/],
  ])("refuses %j", (input, why) => {
    expect(() => parseScope(input)).toThrow(UsageError);
    expect(() => parseScope(input)).toThrow(why);
    expect(() => parseScope(input)).toThrow(/^invalid --scope '/);
  });
});

describe("segmentProblem", () => {
  it.each(["sa", "my-app", "my.group", "(x)", "grüppe", "default", "ba92f5b4-2d11-453d-a403-e96b0029c9fe"])(
    "accepts %j",
    (s) => {
      expect(segmentProblem(s)).toBeUndefined();
    },
  );
  it.each([
    "",
    ".",
    "..",
    "....",
    "%2e",
    "a%20b",
    "a?b",
    "a#b",
    "a\\b",
    "a b",
    "a\u0000",
    "a\u202e",
    'a"b',
    "a<b",
    "\uff0e\uff0e",
    "a\uff0fb",
    "\uff05\uff12\uff45",
  ])("refuses %j", (s) => {
    expect(segmentProblem(s)).toBeDefined();
  });
});

describe("resource IDs are parsed and rebuilt", () => {
  it("returns canonical parts", () => {
    expect(
      parseResourceId(
        `/SUBSCRIPTIONS/${SUB.toUpperCase()}/resourcegroups/rg/providers/Microsoft.Storage/storageAccounts/sa/`,
      ),
    ).toEqual({
      subscriptionId: SUB,
      resourceGroup: "rg",
      provider: "Microsoft.Storage",
      type: "storageAccounts",
      name: "sa",
    });
  });
  it.each([
    [`${STORE}?api-version=1`, /contains '\?'/],
    [`${STORE}#x`, /contains '#'/],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/%2e%2e`, /contains '%'/],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/..`, /'\.\.' is not a name/],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/sa/..`, /expected \/subscriptions/],
    [`${RG}/providers/../storageAccounts/sa`, /'\.\.' is not a name/],
    [
      `/subscriptions/${SUB}/resourceGroups/../providers/Microsoft.Storage/storageAccounts/sa`,
      /'\.\.' is not a name/,
    ],
    [`${RG}/providers/Microsoft.Storage/storage.Accounts/sa`, /not a resource type/],
    [`${RG}/providers/Microsoft/storageAccounts/sa`, /not a provider namespace/],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/sa\n`, /contains U\+000A/],
  ])("refuses %j", (input, why) => {
    expect(() => parseResourceId(input, "--storage-id")).toThrow(UsageError);
    expect(() => parseResourceId(input, "--storage-id")).toThrow(why);
  });
  it("refuses a climbing --ids or --user-assigned", () => {
    expect(() => parseTargetId(`${RG}/providers/Microsoft.Web/sites/%2e%2e`)).toThrow(/contains '%'/);
    expect(() => parseTargetId(`${RG}/providers/Microsoft.Web/sites/app1?x=1`)).toThrow(/contains '\?'/);
    expect(() =>
      parseUserAssignedId(`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/..`),
    ).toThrow(/'\.\.' is not a name/);
  });
});

describe("role definition IDs", () => {
  const GUID = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
  it.each([
    `/providers/Microsoft.Authorization/roleDefinitions/${GUID}`,
    `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${GUID.toUpperCase()}`,
    `${RG}/providers/microsoft.authorization/roledefinitions/${GUID}`,
  ])("reads %s as the GUID", (id) => {
    expect(parseRoleInput(id)).toEqual({ kind: "guid", value: GUID });
  });
  it.each([
    `/subscriptions/${SUB}/../providers/Microsoft.Authorization/roleDefinitions/${GUID}`,
    `/x/providers/Microsoft.Authorization/roleDefinitions/${GUID}`,
    `/providers/Microsoft.Authorization/roleDefinitions/%2e%2e/${GUID}`,
    `/providers/Microsoft.Authorization/roleDefinitions/${GUID}?x=1`,
    `/providers/Microsoft.Foo/roleDefinitions/${GUID}`,
    `//providers/Microsoft.Authorization/roleDefinitions/${GUID}`,
  ])("refuses %j", (id) => {
    expect(() => parseRoleInput(id)).toThrow(UsageError);
  });
  it.each(["Owner\nContributor", "Reader\r", "Reader\u001b[2J", "Rea\u200bder", "x".repeat(513)])(
    "refuses the role name %j",
    (name) => {
      expect(() => parseRoleInput(name)).toThrow(/invalid --role/);
    },
  );
});
