// The pure parts of az-shaped input: what --assignee accepts, the az config file's [defaults] group, and
// --user-assigned as a name or an ID.
import { describe, expect, it } from "vitest";
import { parseAssignee } from "../../src/azure/assignee.js";
import { iniValue } from "../../src/azure/defaults.js";
import { parseUserAssignedRefs, userAssignedIdFor } from "../../src/azure/ids.js";
import { parseGlobals } from "../../src/context.js";

const GUID = "6F1C2D3E-4A5B-4C6D-8E7F-90A1B2C3D4E5";
const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";

describe("parseAssignee", () => {
  it.each([
    [GUID, { kind: "objectId", value: GUID.toLowerCase() }],
    [` ${GUID} `, { kind: "objectId", value: GUID.toLowerCase() }],
    ["ada@contoso.com", { kind: "upn", value: "ada@contoso.com" }],
    ["ada_fabrikam.com#EXT#@contoso.onmicrosoft.com", { kind: "upn" }],
    [`appId:${GUID}`, { kind: "appId", value: GUID.toLowerCase() }],
    [`APPID: ${GUID}`, { kind: "appId", value: GUID.toLowerCase() }],
    ["msdocs-ci", { kind: "displayName", value: "msdocs-ci" }],
    ["My App (prod)", { kind: "displayName", value: "My App (prod)" }],
  ])("%s", (input, want) => {
    expect(parseAssignee(input, "--assignee")).toMatchObject(want);
  });

  it.each([
    ["", "--assignee is empty"],
    ["appId:nope", "the application (client) ID after appId: is not a GUID"],
    ["a@b@c", "is not a user principal name"],
    ["a b@c", "is not a user principal name"],
    ["x@y/z", "is not a user principal name"],
    ["evil\u001b[2Jname", "contains a control character"],
    ["x".repeat(257), "longer than 256 characters"],
  ])("refuses %j", (input, message) => {
    expect(() => parseAssignee(input, "--assignee")).toThrow(message);
  });
});

describe("iniValue (the az config file)", () => {
  const text =
    "\uFEFF[core]\ngroup = not-this\n\n[defaults]\n# comment\n; another\nGroup: rg-one\nlocation = eastus\n";
  it("reads an option of one section, option names in any case, '=' or ':'", () => {
    expect(iniValue(text, "defaults", "group")).toBe("rg-one");
    expect(iniValue(text, "defaults", "location")).toBe("eastus");
    expect(iniValue(text, "Defaults", "group")).toBeUndefined();
    expect(iniValue(text, "defaults", "subscription")).toBeUndefined();
    expect(iniValue("[defaults]\ngroup =\n", "defaults", "group")).toBe("");
  });
});

describe("--user-assigned names", () => {
  it("a name is rebuilt in the target's group, or in --identity-resource-group; an ID is kept", () => {
    const id = `/subscriptions/${SUB}/resourceGroups/other/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u-1`;
    const [byName, byId] = parseUserAssignedRefs(["u-2", id.toLowerCase()], undefined);
    expect(userAssignedIdFor(byName ?? { name: "" }, SUB, "rg")).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u-2`,
    );
    expect(userAssignedIdFor(byId ?? { name: "" }, SUB, "rg").toLowerCase()).toBe(id.toLowerCase());
    const [inGroup] = parseUserAssignedRefs(["u-2"], "shared");
    expect(userAssignedIdFor(inGroup ?? { name: "" }, SUB, "rg")).toContain("/resourceGroups/shared/");
  });

  it("refuses what is neither, and a group flag with only IDs", () => {
    expect(() => parseUserAssignedRefs(["../x"], undefined)).toThrow("invalid --user-assigned '../x'");
    expect(() => parseUserAssignedRefs(["ab"], undefined)).toThrow("invalid --user-assigned 'ab'");
    expect(() => parseUserAssignedRefs(["u-1"], "a/b")).toThrow("invalid resource group name 'a/b'");
  });
});

describe("the Microsoft Graph endpoint", () => {
  it("is the cloud's unless MIAUTH_GRAPH_ENDPOINT says otherwise; the token scope stays the cloud's", () => {
    expect(parseGlobals({}, {}).graphEndpoint).toBe("https://graph.microsoft.com");
    const gov = parseGlobals({ cloud: "AzureUSGovernment" }, {});
    expect([gov.graphEndpoint, gov.cloud.graphScope]).toEqual([
      "https://graph.microsoft.us",
      "https://graph.microsoft.us/.default",
    ]);
    const local = parseGlobals({}, { MIAUTH_GRAPH_ENDPOINT: "https://127.0.0.1:8443/" });
    expect([local.graphEndpoint, local.cloud.graphScope]).toEqual([
      "https://127.0.0.1:8443",
      "https://graph.microsoft.com/.default",
    ]);
  });

  it.each([
    ["http://127.0.0.1:1", "it must be https"],
    ["https://user:pw@127.0.0.1:1", "no user name or password allowed in it"],
    ["https://127.0.0.1:1/?x=1", "no query or fragment allowed"],
  ])("refuses %s", (value, why) => {
    expect(() => parseGlobals({}, { MIAUTH_GRAPH_ENDPOINT: value })).toThrow(why);
  });
});
