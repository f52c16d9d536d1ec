// Container apps end to end: enable/disable/show through Microsoft.App's long-running PATCH, verify as
// the app's identity, and setup's env variables in the template.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD, type World } from "../../src/emulator/world.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const API = "api-version=2025-07-01";

function world(): World {
  const w = structuredClone(DEFAULT_WORLD);
  w.containerApps = [
    {
      resourceGroup: RG,
      name: "msdocs-aca",
      identity: { type: "UserAssigned", userAssignedIdentities: ["msdocs-uami"] },
      containers: [
        {
          name: "web",
          image: "mcr.microsoft.com/k8se/quickstart:latest",
          env: [
            { name: "LOG_LEVEL", value: "info" },
            { name: "DB_PASSWORD", secretRef: "db-password" },
          ],
        },
        { name: "sidecar", image: "mcr.microsoft.com/k8se/sidecar:latest" },
      ],
    },
  ];
  return w;
}

const emu = useEmulator({ blob: false, seed: world() });

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

function appId(): string {
  return `${emu.current.rg()}/providers/Microsoft.App/containerApps/msdocs-aca`;
}

interface IdentityOut {
  principalId: string | null;
  type: string;
  userAssignedIdentities: Record<string, { principalId: string; clientId: string }> | null;
  resourceId: string;
  result: string;
}

describe("container apps", () => {
  it("enable and disable keep the user-assigned identity, follow the LRO, and re-runs write nothing", async () => {
    const uami = emu.current.uamiId("msdocs-uami").toLowerCase();
    const first = await cli(["enable", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const enabled = json<IdentityOut>(first);
    expect(enabled.type).toBe("SystemAssigned, UserAssigned");
    expect(enabled.principalId).toMatch(GUID);
    expect(enabled.result).toBe("updated");
    expect(enabled.resourceId).toBe(appId());
    expect(Object.keys(enabled.userAssignedIdentities ?? {}).map((k) => k.toLowerCase())).toEqual([uami]);

    // PATCH, then the operation status (Azure-AsyncOperation) until it ends, then the app read again.
    const log = (await emu.current.armRequests()).map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`);
    const patch = log.indexOf("PATCH containerApps/msdocs-aca");
    expect(patch).toBeGreaterThan(0);
    expect(log[0]).toBe("GET containerApps/msdocs-aca");
    const after = log.slice(patch + 1);
    expect(after[0]).toMatch(/^GET containerappOperationStatuses\//);
    expect(after.at(-1)).toBe("GET containerApps/msdocs-aca");
    expect(after.filter((l) => l.startsWith("PATCH"))).toEqual([]);
    console.log(log.join("\n"));
    const writes = await emu.current.writes();
    expect(writes.map((w) => w.method)).toEqual(["PATCH"]);

    // Microsoft.App's own spelling, without a space.
    const raw = await emu.current.arm("GET", `${appId()}?${API}`);
    expect((raw.body.identity as { type: string }).type).toBe("SystemAssigned,UserAssigned");

    await emu.current.clearLog();
    const rerun = await cli(["enable", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(json<IdentityOut>(rerun)).toEqual({ ...enabled, result: "unchanged" });
    expect(await emu.current.writes()).toEqual([]);

    const disabled = json<IdentityOut>(await cli(["disable", "--ids", appId()]));
    expect(disabled.type).toBe("UserAssigned");
    expect(disabled.principalId).toBeNull();
    expect(Object.keys(disabled.userAssignedIdentities ?? {}).map((k) => k.toLowerCase())).toEqual([uami]);
    await emu.current.clearLog();
    const again = await cli(["disable", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(json<IdentityOut>(again).result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);

    const shown = await cli(["show", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(json<{ type: string; kind: string }>(shown)).toMatchObject({ type: "UserAssigned", kind: "containerapp" });
  });
});
