import { describe, expect, it } from "vitest";
import {
  type IdentityChange,
  isKnownIdentityType,
  planIdentity,
  type WireIdentity,
} from "../../src/azure/identity-merge.js";

const UAMI =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/one";
const UAMI2 = UAMI.replace(/one$/, "two");
const enableSystem: IdentityChange = { system: "enable", addUserAssigned: [], removeUserAssigned: [] };
const disableSystem: IdentityChange = { system: "disable", addUserAssigned: [], removeUserAssigned: [] };
const system: WireIdentity = {
  type: "SystemAssigned",
  principalId: "p",
  tenantId: "t",
  userAssignedIdentities: null,
};
const user: WireIdentity = {
  type: "UserAssigned",
  tenantId: "t",
  userAssignedIdentities: { [UAMI]: { principalId: "up", clientId: "uc" } },
};

describe("planIdentity", () => {
  it.each<[string, WireIdentity | undefined, IdentityChange, WireIdentity | undefined]>([
    ["enable on none", undefined, enableSystem, { type: "SystemAssigned" }],
    ["enable on type None", { type: "None" }, enableSystem, { type: "SystemAssigned" }],
    ["enable when enabled", system, enableSystem, undefined],
    [
      "enable keeps user-assigned",
      user,
      enableSystem,
      { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [UAMI]: {} } },
    ],
    ["disable on none", undefined, disableSystem, undefined],
    ["disable to None", system, disableSystem, { type: "None" }],
    [
      "disable keeps user-assigned",
      { ...user, type: "SystemAssigned, UserAssigned", principalId: "p" },
      disableSystem,
      { type: "UserAssigned", userAssignedIdentities: { [UAMI]: {} } },
    ],
    [
      "spelling without a space is understood",
      { ...user, type: "SystemAssigned,UserAssigned", principalId: "p" },
      enableSystem,
      undefined,
    ],
    [
      "add a second user-assigned",
      user,
      { system: "keep", addUserAssigned: [UAMI2], removeUserAssigned: [] },
      { type: "UserAssigned", userAssignedIdentities: { [UAMI]: {}, [UAMI2]: {} } },
    ],
    [
      "adding one already there (other casing) is no change",
      user,
      { system: "keep", addUserAssigned: [UAMI.toLowerCase()], removeUserAssigned: [] },
      undefined,
    ],
    [
      "remove one of two keeps the other",
      { ...user, userAssignedIdentities: { [UAMI]: {}, [UAMI2]: {} } },
      { system: "keep", addUserAssigned: [], removeUserAssigned: [UAMI2.toUpperCase()] },
      { type: "UserAssigned", userAssignedIdentities: { [UAMI]: {}, [UAMI2]: null } },
    ],
    [
      "remove the last user-assigned with system on",
      { ...user, type: "SystemAssigned, UserAssigned", principalId: "p" },
      { system: "keep", addUserAssigned: [], removeUserAssigned: [UAMI] },
      { type: "SystemAssigned" },
    ],
    [
      "remove one not attached",
      system,
      { system: "keep", addUserAssigned: [], removeUserAssigned: [UAMI] },
      undefined,
    ],
  ])("%s", (_name, current, change, request) => {
    const plan = planIdentity(current, change);
    expect(plan.request).toEqual(request);
    expect(plan.changed).toBe(request !== undefined);
  });

  it("predicts the after view, keeping the principal of a system identity already on", () => {
    const plan = planIdentity(
      { ...user, type: "SystemAssigned, UserAssigned", principalId: "p" },
      enableSystem,
    );
    expect(plan.after).toEqual(plan.before);
    const fresh = planIdentity(user, enableSystem);
    expect(fresh.after).toMatchObject({
      type: "SystemAssigned, UserAssigned",
      principalId: null,
      tenantId: "t",
    });
    expect(fresh.after.userAssignedIdentities).toEqual({ [UAMI]: { principalId: "up", clientId: "uc" } });
  });

  it("ignores a stale user-assigned map when the type says there are none", () => {
    const plan = planIdentity(
      { type: "SystemAssigned", principalId: "p", userAssignedIdentities: { [UAMI]: {} } },
      disableSystem,
    );
    expect(plan.request).toEqual({ type: "None" });
  });
});

describe("isKnownIdentityType", () => {
  it.each([
    "None",
    "SystemAssigned",
    "UserAssigned",
    "SystemAssigned, UserAssigned",
    "SystemAssigned,UserAssigned",
  ])("knows %s", (type) => expect(isKnownIdentityType(type)).toBe(true));
  it.each(["", "System", "UserAssigned, SystemAssigned", "<html>"])("refuses '%s'", (type) =>
    expect(isKnownIdentityType(type)).toBe(false),
  );
});
