// assign-role's principal-type handling that needs no network: the flag, and reading ARM's
// UnmatchedPrincipalType message (Azure's real wording, typo included).
import { RestError } from "@azure/core-rest-pipeline";
import { beforeAll, describe, expect, it } from "vitest";
import { unmatchedType } from "../../src/azure/assignments.js";
import { loadPipeline } from "../../src/azure/errors.js";
import { clientIdMistake } from "../../src/azure/user-assigned.js";
import { parseRoleOptions } from "../../src/commands/role-options.js";

const base = { principalWait: "3m", concurrency: "8", role: "Reader", resourceGroup: "rg" };
const ID = "aaaaaaaa-0000-4000-8000-000000000000";

function armError(code: string, message: string): RestError {
  const e = new RestError(message, { statusCode: 400, code });
  e.details = { error: { code, message } };
  return e;
}

beforeAll(async () => {
  await loadPipeline();
});

describe("--assignee-principal-type", () => {
  it("defaults to ServicePrincipal, not given; any case of a known type is given", () => {
    expect(parseRoleOptions({ ...base, assignee: [ID] })).toMatchObject({
      principalType: "ServicePrincipal",
      principalTypeGiven: false,
    });
    expect(parseRoleOptions({ ...base, assignee: [ID], assigneePrincipalType: "gROUP" })).toMatchObject({
      principalType: "Group",
      principalTypeGiven: true,
    });
    expect(() => parseRoleOptions({ ...base, assignee: [ID], assigneePrincipalType: "Robot" })).toThrow(
      /^invalid --assignee-principal-type 'Robot': use User, Group, ServicePrincipal, ForeignGroup/,
    );
  });
});

describe("UnmatchedPrincipalType", () => {
  it("reads the types from ARM's message (as worded in Azure/azure-dev#3992), and the corrected spelling", () => {
    const real =
      "The PrincipalId '7bf330256f49491c855f7845a32b7065' has type 'ServicePrincipal' , which is different from specified PrinciaplType 'User'.";
    expect(unmatchedType(armError("UnmatchedPrincipalType", real))).toEqual({
      actual: "ServicePrincipal",
      sent: "User",
    });
    const fixed = real.replace("PrinciaplType", "PrincipalType").replace("'ServicePrincipal'", "'Group'");
    expect(unmatchedType(armError("UnmatchedPrincipalType", fixed))).toEqual({
      actual: "Group",
      sent: "User",
    });
  });

  it("is undefined for another code, an unknown type or other words", () => {
    const msg =
      "The PrincipalId 'x' has type 'User' , which is different from specified PrinciaplType 'ServicePrincipal'.";
    expect(unmatchedType(armError("PrincipalNotFound", msg))).toBeUndefined();
    expect(
      unmatchedType(armError("UnmatchedPrincipalType", msg.replace("'User'", "'Robot'"))),
    ).toBeUndefined();
    expect(
      unmatchedType(armError("UnmatchedPrincipalType", "Principal types do not match.")),
    ).toBeUndefined();
  });
});

describe("a client ID given as the assignee", () => {
  const uami = {
    name: "msdocs-uami",
    resourceGroup: "rg",
    id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/msdocs-uami",
    principalId: "c2f4e6a8-1b3d-4f5a-9c7e-2d4f6a8b0c1e",
    clientId: "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b",
  };
  it("names the identity and its principal ID; a principal ID passes", () => {
    expect(clientIdMistake([uami.principalId], [uami])).toBeUndefined();
    expect(clientIdMistake([ID, uami.clientId], [uami])?.message).toBe(
      `'${uami.clientId}' is the client ID of user-assigned identity 'msdocs-uami' (resource group 'rg'); its principal (object) ID is ${uami.principalId}: pass that to --assignee`,
    );
    expect(clientIdMistake([ID], [{ ...uami, clientId: "" }])).toBeUndefined();
  });
});
