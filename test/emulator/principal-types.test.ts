// The emulator's directory types (users, groups, service principals) and ARM's UnmatchedPrincipalType;
// the subscription's user-assigned identities listed as Microsoft.ManagedIdentity lists them.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD, startEmulator, validateWorld } from "../../src/emulator/index.js";
import { client, ids, RG, useEmulator, WEB } from "../helpers/emulator.js";

const AUTHZ = "api-version=2022-04-01";
const MSI = "api-version=2023-01-31";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const NOBODY = "11111111-2222-4333-8444-555555555555";
const principal = (type: string) =>
  (DEFAULT_WORLD.principals ?? []).find((p) => p.type === type)?.principalId ?? "";
const USER = principal("User");
const GROUP = principal("Group");

const emu = useEmulator({ blob: false, replicationDelayMs: 400 });
const sub = () => `/subscriptions/${emu.handle.subscriptionId}`;
const put = (scope: string, name: string, properties: Record<string, unknown>) =>
  emu.api.arm("PUT", `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?${AUTHZ}`, {
    properties,
  });
const reader = () => `${sub()}/providers/Microsoft.Authorization/roleDefinitions/${READER}`;
const compact = (guid: string) => guid.replaceAll("-", "");
const unmatched = (id: string, real: string, sent: string) => ({
  code: "UnmatchedPrincipalType",
  message: `The PrincipalId '${compact(id)}' has type '${real}' , which is different from specified PrinciaplType '${sent}'.`,
});

describe("principal types", () => {
  it("the default world's directory holds a user and a group", async () => {
    const state = (await emu.api.control("GET", "state")).json;
    expect(state.directory).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ principalId: USER, type: "User", replicated: true }),
        expect.objectContaining({ principalId: GROUP, type: "Group", replicated: true }),
      ]),
    );
    expect(() =>
      validateWorld({ ...DEFAULT_WORLD, principals: [{ principalId: USER, type: "Robot" }] }),
    ).toThrow(/principals\[0\]\.type: expected "User" \| "Group" \| "ServicePrincipal", got "Robot"/);
  });

  it("a principalType that differs from the directory's is ARM's 400 UnmatchedPrincipalType; none is stored", async () => {
    const rg = ids(emu.handle).rg;
    const asSp = await put(rg, "4b1c2d3e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", {
      roleDefinitionId: reader(),
      principalId: USER,
      principalType: "ServicePrincipal",
    });
    expect([asSp.status, asSp.json.error]).toEqual([400, unmatched(USER, "User", "ServicePrincipal")]);
    const asUser = await put(rg, "5c2d3e4f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", {
      roleDefinitionId: reader(),
      principalId: GROUP,
      principalType: "User",
    });
    expect([asUser.status, asUser.json.error]).toEqual([400, unmatched(GROUP, "Group", "User")]);
    const state = (await emu.api.control("GET", "state")).json;
    const stored = state.roleAssignments.filter((a: { principalId: string }) =>
      [USER, GROUP].includes(a.principalId),
    );
    expect(stored).toEqual([]);

    // Without principalType ARM takes the directory's; with the right one it is accepted.
    const untyped = await put(rg, "6d3e4f5a-7b8c-4d9e-8f0a-1b2c3d4e5f6a", {
      roleDefinitionId: reader(),
      principalId: GROUP,
    });
    expect([untyped.status, untyped.json.properties?.principalType]).toEqual([201, "Group"]);
    const typed = await put(rg, "7e4f5a6b-8c9d-4e0f-9a1b-2c3d4e5f6a7b", {
      roleDefinitionId: reader(),
      principalId: USER,
      principalType: "User",
    });
    expect([typed.status, typed.json.properties?.principalType]).toEqual([201, "User"]);
  });

  it("with principalType, a principal the directory does not find is accepted with the type sent", async () => {
    const rg = ids(emu.handle).rg;
    const nobody = await put(rg, "8f5a6b7c-9d0e-4f1a-8b2c-3d4e5f6a7b8c", {
      roleDefinitionId: reader(),
      principalId: NOBODY,
      principalType: "ServicePrincipal",
    });
    expect([nobody.status, nobody.json.properties?.principalType]).toEqual([201, "ServicePrincipal"]);

    // A new system identity (a ServicePrincipal) before it replicates: ARM cannot see its type yet.
    const patched = await emu.api.arm("PATCH", `${ids(emu.handle).site("msdocs-web")}?${WEB}`, {
      identity: { type: "SystemAssigned" },
    });
    const fresh = patched.json.identity.principalId as string;
    const early = await put(rg, "9a6b7c8d-0e1f-4a2b-9c3d-4e5f6a7b8c9d", {
      roleDefinitionId: reader(),
      principalId: fresh,
      principalType: "User",
    });
    expect([early.status, early.json.properties?.principalType]).toEqual([201, "User"]);
    await emu.api.control("POST", "clock/advance", { ms: 400 });
    const later = await put(
      `${rg}/providers/Microsoft.Web/sites/msdocs-web`,
      "0b7c8d9e-1f2a-4b3c-8d4e-5f6a7b8c9d0e",
      {
        roleDefinitionId: reader(),
        principalId: fresh,
        principalType: "User",
      },
    );
    expect([later.status, later.json.error]).toEqual([400, unmatched(fresh, "ServicePrincipal", "User")]);
  });
});

describe("user-assigned identities by subscription", () => {
  it("lists them in ARM's shape, paged with nextLink", async () => {
    const list = await emu.api.arm(
      "GET",
      `${sub()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?${MSI}`,
    );
    expect(list.status).toBe(200);
    const uami = DEFAULT_WORLD.userAssignedIdentities?.[0];
    expect(list.json).toEqual({
      value: [
        {
          id: ids(emu.handle).uami("msdocs-uami"),
          name: "msdocs-uami",
          type: "Microsoft.ManagedIdentity/userAssignedIdentities",
          location: "eastus",
          tags: {},
          properties: {
            tenantId: emu.handle.tenantId,
            principalId: uami?.principalId,
            clientId: uami?.clientId,
          },
        },
      ],
    });
    const future = await emu.api.arm(
      "GET",
      `${sub()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2099-01-01`,
    );
    expect([future.status, future.json.error.code]).toEqual([400, "NoRegisteredProviderFound"]);
  });

  it("pages of pageSize, with an absolute nextLink keeping the api-version; only the subscription's", async () => {
    const world = structuredClone(DEFAULT_WORLD);
    const second = "5d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a";
    world.subscriptions.push({ subscriptionId: second, displayName: "other" });
    world.resourceGroups.push({ name: "other-rg", location: "westus", subscriptionId: second });
    world.userAssignedIdentities = [
      ...(world.userAssignedIdentities ?? []),
      ...["a", "b"].map((n, i) => ({
        resourceGroup: RG,
        name: `uami-${n}`,
        principalId: `6e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5${i}`,
        clientId: `7f3a4b5c-6d7e-4f8a-9b0c-1d2e3f4a5b6${i}`,
      })),
      {
        resourceGroup: "other-rg",
        subscriptionId: second,
        name: "elsewhere",
        principalId: "8a4b5c6d-7e8f-4a9b-8c1d-2e3f4a5b6c7d",
        clientId: "9b5c6d7e-8f9a-4b0c-9d2e-3f4a5b6c7d8e",
      },
    ];
    const small = await startEmulator({ blob: false, seed: world, pageSize: 2 });
    try {
      const api = client(small);
      const names: string[] = [];
      let url: string | undefined =
        `/subscriptions/${small.subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?${MSI}`;
      for (let pages = 1; url; pages++) {
        const r = await api.arm("GET", url);
        expect(r.status).toBe(200);
        names.push(...r.json.value.map((u: { name: string }) => u.name));
        const next: string | undefined = r.json.nextLink;
        if (next) {
          expect(next.startsWith(`${small.url}/subscriptions/`)).toBe(true);
          expect(new URL(next).searchParams.get("api-version")).toBe("2023-01-31");
        }
        expect(pages).toBeLessThanOrEqual(2);
        url = next ? next.slice(small.url.length) : undefined;
      }
      expect(names).toEqual(["msdocs-uami", "uami-a", "uami-b"]);
    } finally {
      await small.close();
    }
  });
});
