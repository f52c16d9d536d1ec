// Pure parts of container app support: the --containerapp/--ids target, the identity type Container
// Apps spells without a space, and the env merge setup --set-env sends.
import { describe, expect, it } from "vitest";
import { planEnv, type RawContainer } from "../../src/azure/container-apps.js";
import { planIdentity, viewOf } from "../../src/azure/identity-merge.js";
import { parseTargets, targetFlags, targetResourceId } from "../../src/azure/target.js";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const UAMI = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u`;
const APP = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.App/containerApps/my-app`;

describe("container app targets", () => {
  it("--containerapp NAME -g RG and --ids of Microsoft.App/containerApps", () => {
    const [named] = parseTargets({ containerapp: "my-app", resourceGroup: "rg" });
    expect(named).toEqual({ kind: "containerapp", resourceGroup: "rg", name: "my-app", fromId: false });
    expect(targetResourceId(named as never, SUB)).toBe(APP);
    expect(targetFlags(named as never, APP)).toBe("--containerapp my-app -g rg");
    const [byId] = parseTargets({
      ids: [APP.replace("Microsoft.App/containerApps", "microsoft.app/CONTAINERAPPS")],
    });
    expect(byId).toMatchObject({ kind: "containerapp", subscriptionId: SUB, name: "my-app", fromId: true });
    expect(targetResourceId(byId as never, SUB)).toBe(APP);
  });

  it("bad names and combinations are usage errors", () => {
    for (const name of ["My-App", "a", "1app", "app-", "my--app", "a".repeat(33)])
      expect(() => parseTargets({ containerapp: name, resourceGroup: "rg" })).toThrow(
        /invalid --containerapp name/,
      );
    expect(() => parseTargets({ containerapp: "my-app" })).toThrow(
      "--containerapp needs -g/--resource-group",
    );
    expect(() => parseTargets({ containerapp: "my-app", resourceGroup: "rg", slot: "s" })).toThrow(
      "--slot is for web apps and function apps, not --containerapp",
    );
    expect(() => parseTargets({ containerapp: "my-app", vm: "v", resourceGroup: "rg" })).toThrow(
      /conflicting targets/,
    );
  });
});

describe("identity types as Container Apps spells them", () => {
  it("'SystemAssigned,UserAssigned' is both: disable keeps the user-assigned identity", () => {
    const current = {
      type: "SystemAssigned,UserAssigned",
      principalId: "p",
      userAssignedIdentities: { [UAMI]: {} },
    };
    expect(viewOf(current).type).toBe("SystemAssigned, UserAssigned");
    expect(
      planIdentity(current, { system: "enable", addUserAssigned: [], removeUserAssigned: [] }).changed,
    ).toBe(false);
    const off = planIdentity(current, { system: "disable", addUserAssigned: [], removeUserAssigned: [] });
    expect(off.request).toEqual({ type: "UserAssigned", userAssignedIdentities: { [UAMI]: {} } });
  });
});

describe("planEnv", () => {
  it("of several variables with one name, the last (the one that takes effect) is read and set", () => {
    const dup: RawContainer[] = [
      {
        name: "c",
        image: "i",
        env: [
          { name: "V", value: "1" },
          { name: "V", value: "2" },
        ],
      },
    ];
    expect(planEnv(dup, "V", "2").changed).toBe(false);
    expect(planEnv(dup, "V", "3").containers[0]?.env).toEqual([
      { name: "V", value: "1" },
      { name: "V", value: "3" },
    ]);
  });

  const containers: RawContainer[] = [
    {
      name: "web",
      image: "i",
      resources: { cpu: 0.5, memory: "1Gi" },
      env: [
        { name: "A", value: "x y" },
        { name: "S", secretRef: "s" },
      ],
    },
    { name: "side", image: "j" },
  ];

  it("adds the variable to every container, keeping the rest as it was", () => {
    const p = planEnv(containers, "ACCOUNT", "acct");
    expect(p.changed).toBe(true);
    expect(p.before).toEqual({ web: null, side: null });
    expect(p.containers).toEqual([
      { ...containers[0], env: [...(containers[0]?.env ?? []), { name: "ACCOUNT", value: "acct" }] },
      { name: "side", image: "j", env: [{ name: "ACCOUNT", value: "acct" }] },
    ]);
    expect(planEnv(p.containers, "ACCOUNT", "acct").changed).toBe(false);
  });

  it("replaces a different value or a secretRef in place, and reports what was there", () => {
    const p = planEnv(containers, "S", "plain");
    expect(p.before).toEqual({ web: "secretRef:s", side: null });
    expect(p.containers[0]?.env).toEqual([
      { name: "A", value: "x y" },
      { name: "S", value: "plain" },
    ]);
  });
});

describe("world file containerApps", () => {
  it("checks its identity's references and its containers' shape", async () => {
    const { DEFAULT_WORLD, validateWorld } = await import("../../src/emulator/world.js");
    const base = structuredClone(DEFAULT_WORLD);
    expect(() =>
      validateWorld({
        ...base,
        containerApps: [
          {
            resourceGroup: "msdocs-sdk-auth-example",
            name: "a",
            identity: { type: "UserAssigned", userAssignedIdentities: ["nope"] },
          },
        ],
      }),
    ).toThrow(/containerApps\[0\]\.identity\.userAssignedIdentities\[0\]/);
    expect(() =>
      validateWorld({
        ...base,
        containerApps: [{ resourceGroup: "msdocs-sdk-auth-example", name: "a", containers: [{ name: "c" }] }],
      }),
    ).toThrow(/containerApps\[0\]\.containers\[0\]\.image/);
    expect(validateWorld(base).containerApps?.map((a) => a.name)).toEqual(["msdocs-aca"]);
  });
});
