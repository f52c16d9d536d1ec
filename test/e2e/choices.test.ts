// Usage errors that only ARM's answer (or a person) can raise: a role name two definitions share, a
// subscription name two subscriptions share, several subscriptions and none chosen, and a declined
// confirmation. Each is exit 2 with one line and its hint, and writes nothing.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const TWIN_A = "3d6f1e2a-8b4c-4d5e-9f60-718293a4b5c6";
const TWIN_B = "4e7a2f3b-9c5d-4e6f-a071-8293a4b5c6d7";
const OWNER = DEFAULT_WORLD.roleAssignments.find((a) => a.principalId === DEFAULT_WORLD.operator.principalId);

const emu = useEmulator({
  blob: false,
  seed: {
    ...DEFAULT_WORLD,
    // Subscription display names are not unique in Azure: two are called "shared-services".
    subscriptions: [
      ...DEFAULT_WORLD.subscriptions,
      { subscriptionId: TWIN_A, displayName: "shared-services" },
      { subscriptionId: TWIN_B, displayName: "shared-services" },
    ],
    roleAssignments: [
      ...DEFAULT_WORLD.roleAssignments,
      ...[TWIN_A, TWIN_B].map((sub) => ({
        principalId: DEFAULT_WORLD.operator.principalId,
        roleDefinitionName: OWNER?.roleDefinitionName ?? "Owner",
        scope: `/subscriptions/${sub}`,
      })),
    ],
  } as typeof DEFAULT_WORLD,
});

function cli(args: string[], env: Record<string, string | undefined> = {}, answer?: string) {
  return runCli(args, { env: { ...emu.current.env, ...env }, answer });
}

function expectUsage(
  r: { code: number | null; stdout: string; stderr: string },
  error: string,
  hint: string,
) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toBe(`error: ${error}\nhint: ${hint}\n`);
}

describe("subscriptions", () => {
  it("a subscription name two subscriptions share: exit 2 listing both", async () => {
    const r = await cli(["show", "--webapp", "msdocs-web", "-g", RG, "--subscription", "Shared-Services"]);
    expectUsage(
      r,
      `subscription name 'Shared-Services' is ambiguous: shared-services (${TWIN_A}), shared-services (${TWIN_B})`,
      "pass --subscription with the subscription ID",
    );
  });

  it("several visible subscriptions and none chosen: exit 2 listing them, no write", async () => {
    const r = await cli(["enable", "--webapp", "msdocs-web", "-g", RG], { AZURE_SUBSCRIPTION_ID: undefined });
    const [home] = DEFAULT_WORLD.subscriptions;
    expectUsage(
      r,
      `more than one subscription is visible; choose one with --subscription: ${home?.displayName} (${home?.subscriptionId}), shared-services (${TWIN_A}), shared-services (${TWIN_B})`,
      "or set AZURE_SUBSCRIPTION_ID, or make one the az default (az account set --subscription with its ID)",
    );
    expect(await emu.current.writes()).toEqual([]);
  });
});

describe("roles", () => {
  it("a role name ARM answers with two definitions: exit 2 naming both GUIDs, nothing assigned", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const twin = (name: string, roleType: string) => ({
      id: `/subscriptions/${emu.current.sub}/providers/Microsoft.Authorization/roleDefinitions/${name}`,
      name,
      type: "Microsoft.Authorization/roleDefinitions",
      properties: {
        roleName: "Blob Writer",
        type: roleType,
        description: "",
        assignableScopes: ["/"],
        permissions: [{ actions: [], notActions: [], dataActions: [], notDataActions: [] }],
      },
    });
    const body = JSON.stringify({ value: [twin(TWIN_A, "CustomRole"), twin(TWIN_B, "CustomRole")] });
    await emu.current.clearLog();
    await emu.current.fault(
      { method: "GET", path: "roleDefinitions" },
      { type: "raw", status: 200, contentType: "application/json; charset=utf-8", body },
    );
    const r = await cli(["assign-role", "--assignee", principalId, "--role", "Blob Writer", "-g", RG]);
    expectUsage(
      r,
      `role name 'Blob Writer' is ambiguous: Blob Writer (CustomRole, ${TWIN_A}), Blob Writer (CustomRole, ${TWIN_B})`,
      "pass --role with the role's GUID",
    );
    expect(await emu.current.writes()).toEqual([]);
  });
});

describe("a broad role at a broad scope, on a terminal", () => {
  const owner = (principalId: string) => [
    "assign-role",
    "--assignee",
    principalId,
    "--role",
    "Owner",
    "--scope",
    `/subscriptions/${emu.current.sub}`,
  ];

  it.each(["n", "", "no", "yes please"])(
    "answered %j: exit 2, 'not confirmed', nothing written",
    async (answer) => {
      const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
      await emu.current.clearLog();
      const r = await cli(owner(principalId), {}, answer);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`Assign 'Owner' at /subscriptions/${emu.current.sub}? [y/N] \n`);
      expect(r.stderr).toMatch(/^error: not confirmed; nothing was assigned$/m);
      expect(await emu.current.writes()).toEqual([]);
    },
  );

  it("answered 'y': the assignment is created", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.clearLog();
    const r = await cli(owner(principalId), {}, "y");
    expect(r.code).toBe(0);
    expect(json<{ result: string; roleDefinitionName: string }>(r)).toMatchObject({
      result: "created",
      roleDefinitionName: "Owner",
    });
    expect((await emu.current.writes()).map((w) => w.method)).toEqual(["PUT"]);
  });
});
