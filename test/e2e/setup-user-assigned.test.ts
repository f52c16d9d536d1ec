// setup --user-assigned: the identity created when missing, attached next to what the app has (no
// system identity turned on), the role assigned to its principal, AZURE_CLIENT_ID set next to the
// account's setting; a dry run writes nothing; a re-run writes nothing; the app's verify then passes.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator, WEB } from "../helpers/emulator.js";

const emu = useEmulator({ dataPlaneDelayMs: 0, replicationDelayMs: 0 });
const setup = (args: string[]) => runCli(["setup", ...args], { env: emu.current.env });
const WEBAPP = ["--webapp", "msdocs-web", "-g", RG, "--storage-account", "msdocsstorage"];

interface Result {
  result: string;
  principalId: string | null;
  steps: { step: string; result: string; detail: string }[];
  variables?: Record<string, string>;
}
const results = (r: Result) => r.steps.map((s) => [s.step, s.result]);

async function settings(): Promise<Record<string, string>> {
  const r = await emu.current.arm(
    "POST",
    `${emu.current.siteId("msdocs-web")}/config/appsettings/list?${WEB}`,
  );
  return r.body.properties as Record<string, string>;
}

describe("miauth setup --user-assigned", () => {
  it("dry run, then creates, attaches (no system identity), assigns, sets AZURE_CLIENT_ID; a re-run writes nothing; verify as the app passes", async () => {
    const dry = await setup([...WEBAPP, "--user-assigned", "msdocs-shared", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(results(json<Result>(dry))).toEqual([
      ["user-assigned", "would-create"],
      ["identity", "would-update"],
      ["role", "would-create"],
      ["app-setting", "would-create"],
      ["client-id", "would-create"],
      ["verify", "skipped"],
    ]);
    expect(await emu.current.writes()).toEqual([]);

    const first = await setup([...WEBAPP, "--user-assigned", "msdocs-shared"]);
    expect(first.code, first.stderr).toBe(0);
    const r = json<Result>(first);
    expect(results(r)).toEqual([
      ["user-assigned", "created"],
      ["identity", "updated"],
      ["role", "created"],
      ["app-setting", "created"],
      ["client-id", "created"],
      ["verify", "passed"],
    ]);
    const shown = json<{ principalId: string; clientId: string; id: string }>(
      await runCli(["identity", "show", "msdocs-shared", "-g", RG], { env: emu.current.env }),
    );
    expect(r.principalId).toBe(shown.principalId);
    const site = await emu.current.arm("GET", `${emu.current.siteId("msdocs-web")}?${WEB}`);
    const identity = site.body.identity as { type: string; userAssignedIdentities: Record<string, unknown> };
    expect(identity.type).toBe("UserAssigned");
    expect(Object.keys(identity.userAssignedIdentities)).toEqual([shown.id]);
    expect(first.stderr).toMatch(/DefaultAzureCredential reads AZURE_CLIENT_ID/);
    expect(await settings()).toMatchObject({
      AZURE_STORAGE_ACCOUNT_NAME: "msdocsstorage",
      AZURE_CLIENT_ID: shown.clientId,
    });

    await emu.current.clearLog();
    const again = await setup([...WEBAPP, "--user-assigned", "msdocs-shared"]);
    expect(again.code, again.stderr).toBe(0);
    expect(json<Result>(again).result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);

    // The app, with what App Service gives it (its settings included): DefaultAzureCredential picks the identity.
    const asApp = await runCli(["verify"], { env: emu.handle.envFor(emu.current.siteId("msdocs-web")) });
    expect(asApp.code, asApp.stderr).toBe(0);
    expect(json<{ identity: { objectId: string } }>(asApp).identity.objectId).toBe(shown.principalId);
  });

  it("keeps a system identity that is on, and the app's other user-assigned identities; a VM gets the variables", async () => {
    const system = await emu.current.enableSystem(emu.current.siteId("msdocs-func"));
    const r = await setup([
      "--functionapp",
      "msdocs-func",
      "-g",
      RG,
      "--storage-account",
      "msdocsstorage",
      "--user-assigned",
      "msdocs-shared",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const site = await emu.current.arm("GET", `${emu.current.siteId("msdocs-func")}?${WEB}`);
    const identity = site.body.identity as {
      type: string;
      principalId: string;
      userAssignedIdentities: Record<string, unknown>;
    };
    expect(identity.type).toBe("SystemAssigned, UserAssigned");
    expect(identity.principalId).toBe(system);
    expect(Object.keys(identity.userAssignedIdentities).map((k) => k.split("/").at(-1))).toEqual([
      "msdocs-uami",
      "msdocs-shared",
    ]);

    const vm = await setup([
      "--vm",
      "msdocs-vm",
      "-g",
      RG,
      "--storage-account",
      "msdocsstorage",
      "--user-assigned",
      "msdocs-shared",
    ]);
    expect(vm.code, vm.stderr).toBe(0);
    const out = json<Result>(vm);
    expect(results(out)).toEqual([
      ["user-assigned", "unchanged"],
      ["identity", "updated"],
      ["role", "unchanged"],
      ["app-setting", "skipped"],
      ["client-id", "skipped"],
      ["verify", "passed"],
    ]);
    expect(Object.keys(out.variables ?? {}).sort()).toEqual([
      "AZURE_CLIENT_ID",
      "AZURE_STORAGE_ACCOUNT_NAME",
    ]);
  });
});
