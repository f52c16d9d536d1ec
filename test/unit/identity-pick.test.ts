// --identity NAME|ID: parsing, and which of a target's identities it picks (pure, before/without ARM).
import { describe, expect, it } from "vitest";
import { parseIdentityRef, pickAttached } from "../../src/azure/identity-pick.js";
import { UnexpectedReplyError, UsageError } from "../../src/errors.js";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const id = (rg: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
const P1 = "c2f4e6a8-1b3d-4f5a-9c7e-2d4f6a8b0c1e";
const P2 = "a7c1e3f5-2b4d-4a6c-8e0f-1a3c5e7b9d2f";

describe("parseIdentityRef", () => {
  it.each([
    ["msdocs-uami", undefined, { name: "msdocs-uami" }],
    ["msdocs-uami", "rg", { name: "msdocs-uami", resourceGroup: "rg" }],
    [id("rg", "ua1"), undefined, { id: id("rg", "ua1") }],
  ])("%s (group %s)", (value, group, want) => {
    expect(parseIdentityRef(value, "--identity", group)).toEqual(want);
  });

  it.each([
    ["x", undefined],
    ["bad name", undefined],
    [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/a`, undefined],
    [id("rg", "u1"), "rg"],
    ["msdocs-uami", "bad/group"],
  ])("refuses %s (group %s)", (value, group) => {
    expect(() => parseIdentityRef(value, "--identity", group)).toThrow(UsageError);
  });
});

describe("pickAttached", () => {
  const identity = {
    type: "SystemAssigned, UserAssigned",
    principalId: "00000000-0000-0000-0000-000000000001",
    userAssignedIdentities: {
      [id("rg", "u1")]: { principalId: P1.toUpperCase(), clientId: "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b" },
      [id("other", "u2")]: { principalId: P2, clientId: "f1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b" },
      [id("third", "u2")]: { principalId: P1, clientId: "f2d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b" },
    },
  };

  it("picks by name, by name and group, and by ID (any case), always the principal ID", () => {
    expect(pickAttached(identity, { name: "U1" }, "vm 'v'")).toEqual({ id: id("rg", "u1"), principalId: P1 });
    expect(pickAttached(identity, { name: "u2", resourceGroup: "OTHER" }, "vm 'v'").principalId).toBe(P2);
    expect(pickAttached(identity, { id: id("other", "u2").toLowerCase() }, "vm 'v'").principalId).toBe(P2);
  });

  it("a name two attached identities share, one not attached, none at all: exit 2 naming what is attached", () => {
    expect(() => pickAttached(identity, { name: "u2" }, "vm 'v'")).toThrow(/names more than one identity/);
    expect(() => pickAttached(identity, { name: "u3" }, "vm 'v'")).toThrow(
      "user-assigned identity 'u3' is not attached to vm 'v'; attached: u1, u2, u2",
    );
    expect(() => pickAttached({ type: "SystemAssigned" }, { name: "u1" }, "vm 'v'")).toThrow(
      /it has no user-assigned identity/,
    );
    try {
      pickAttached(identity, { name: "u3" }, "vm 'v'");
    } catch (e) {
      expect((e as UsageError).exitCode).toBe(2);
    }
  });

  it("an attached identity ARM shows without a principal ID is an unusable reply, not a usage error", () => {
    const bare = { type: "UserAssigned", userAssignedIdentities: { [id("rg", "u1")]: {} } };
    expect(() => pickAttached(bare, { name: "u1" }, "vm 'v'")).toThrow(UnexpectedReplyError);
  });
});
