// verify's control plane when the storage account is in another subscription than the app.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { type Report, RG, step } from "../helpers/verify.js";

const OTHER_SUB = "5e0c2a4b-7d1f-4a3c-9b8e-6f2d4c1a0e97";
const OTHER_RG = "shared-storage";
const OTHER_ACCOUNT = "sharedstore";
const STORE = `/subscriptions/${OTHER_SUB}/resourceGroups/${OTHER_RG}/providers/Microsoft.Storage/storageAccounts/${OTHER_ACCOUNT}`;

const emu = useEmulator({
  blob: false,
  seed: {
    ...DEFAULT_WORLD,
    subscriptions: [
      ...DEFAULT_WORLD.subscriptions,
      { subscriptionId: OTHER_SUB, displayName: "shared-services" },
    ],
    resourceGroups: [
      ...DEFAULT_WORLD.resourceGroups,
      { name: OTHER_RG, location: "eastus", subscriptionId: OTHER_SUB },
    ],
    storageAccounts: [
      ...(DEFAULT_WORLD.storageAccounts ?? []),
      { name: OTHER_ACCOUNT, resourceGroup: OTHER_RG, subscriptionId: OTHER_SUB, containers: ["data"] },
    ],
    roleAssignments: [
      ...DEFAULT_WORLD.roleAssignments,
      {
        principalId: DEFAULT_WORLD.operator.principalId,
        roleDefinitionName: "Owner",
        scope: `/subscriptions/${OTHER_SUB}`,
      },
    ],
  } as typeof DEFAULT_WORLD,
});

function cli(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

describe("verify --storage-id in another subscription", () => {
  it("reads the app (named with -g) in the working subscription, the account in its own", async () => {
    const web = ["--webapp", "msdocs-web", "-g", RG];
    await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const r = await cli(["verify", ...web, "--storage-id", STORE]);
    // Found and checked: no role grants the app access to the other subscription's account (exit 5),
    // where reading the app in the account's subscription said its resource group does not exist.
    expect(r.stderr).not.toMatch(/ResourceGroupNotFound|could not be found/);
    expect(r.code).toBe(5);
    const report = json<Report & { storageId: string }>(r);
    expect(report.storageId).toBe(STORE);
    expect(step(report, "identity")?.status).toBe("pass");
    expect(report.fix).toContain(`--scope ${STORE}`);
  });
});
