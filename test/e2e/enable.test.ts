// `miauth enable` / `disable` / `show` end to end: the built CLI against the emulator.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const emu = useEmulator({ blob: false });

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

interface IdentityOut {
  principalId: string | null;
  tenantId: string | null;
  type: string;
  userAssignedIdentities: Record<string, { principalId: string; clientId: string }> | null;
  resourceId: string;
  result: string;
}

describe("enable", () => {
  it("enables the web app's system identity, and a second run writes nothing", async () => {
    const first = await cli(["enable", "--webapp", "msdocs-web", "-g", RG]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const out = json<IdentityOut>(first);
    expect(out.principalId).toMatch(GUID);
    expect(out.tenantId).toBe(emu.current.handle.tenantId);
    expect(out.type).toBe("SystemAssigned");
    expect(out.userAssignedIdentities).toBeNull();
    expect(out.resourceId).toBe(emu.current.siteId("msdocs-web"));
    expect(out.result).toBe("updated");
    const firstWrites = await emu.current.writes();
    expect(firstWrites.map((w) => w.method)).toEqual(["PATCH"]);

    await emu.current.clearLog();
    const second = await cli(["enable", "--webapp", "msdocs-web", "-g", RG]);
    expect(second.code).toBe(0);
    expect(json<IdentityOut>(second)).toEqual({ ...out, result: "unchanged" });
    expect(await emu.current.writes()).toEqual([]);
    expect(second.blocked).toEqual([]);
  });

  it("keeps the function app's user-assigned identity through enable and disable", async () => {
    const uami = emu.current.uamiId("msdocs-uami");
    const enabled = json<IdentityOut>(await cli(["enable", "--functionapp", "msdocs-func", "-g", RG]));
    expect(enabled.type).toBe("SystemAssigned, UserAssigned");
    expect(enabled.principalId).toMatch(GUID);
    expect(enabled.tenantId).toBe(emu.current.handle.tenantId);
    await emu.current.clearLog();
    const rerun = json<IdentityOut>(await cli(["enable", "--functionapp", "msdocs-func", "-g", RG]));
    expect(rerun).toEqual({ ...enabled, result: "unchanged" });
    expect(await emu.current.writes()).toEqual([]);
    const keys = Object.keys(enabled.userAssignedIdentities ?? {});
    expect(keys.map((k) => k.toLowerCase())).toEqual([uami.toLowerCase()]);
    expect(Object.values(enabled.userAssignedIdentities ?? {})[0]?.principalId).toMatch(GUID);

    const disabled = await cli(["disable", "--functionapp", "msdocs-func", "-g", RG]);
    expect(disabled.code).toBe(0);
    const out = json<IdentityOut>(disabled);
    expect(out.type).toBe("UserAssigned");
    expect(out.principalId).toBeNull();
    expect(Object.keys(out.userAssignedIdentities ?? {}).map((k) => k.toLowerCase())).toEqual([
      uami.toLowerCase(),
    ]);
    expect(out.result).toBe("updated");

    await emu.current.clearLog();
    const again = json<IdentityOut>(await cli(["disable", "--functionapp", "msdocs-func", "-g", RG]));
    expect(again.result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);
  });

  it("attaches and detaches a user-assigned identity by ID", async () => {
    const uami = emu.current.uamiId("msdocs-uami");
    const attached = json<IdentityOut>(
      await cli([
        "enable",
        "--webapp",
        "msdocs-web",
        "-g",
        RG,
        "--user-assigned",
        uami,
        "--no-system-assigned",
      ]),
    );
    expect(attached.type).toBe("UserAssigned");
    expect(attached.principalId).toBeNull();
    expect(Object.keys(attached.userAssignedIdentities ?? {})).toHaveLength(1);

    const both = json<IdentityOut>(await cli(["enable", "--webapp", "msdocs-web", "-g", RG]));
    expect(both.type).toBe("SystemAssigned, UserAssigned");

    const detached = json<IdentityOut>(
      await cli(["disable", "--webapp", "msdocs-web", "-g", RG, "--user-assigned", uami]),
    );
    expect(detached.type).toBe("SystemAssigned");
    expect(detached.principalId).toBe(both.principalId);
    expect(detached.userAssignedIdentities).toBeNull();
  });

  it("follows the VM's long-running operation to Succeeded", async () => {
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG]);
    expect(r.code).toBe(0);
    const out = json<IdentityOut>(r);
    expect(out.type).toBe("SystemAssigned");
    expect(out.principalId).toMatch(GUID);
    expect(out.tenantId).toBe(emu.current.handle.tenantId);
    expect(out.result).toBe("updated");
    const log = await emu.current.armRequests();
    expect(log.some((q) => q.method === "PATCH" && /virtualMachines\/msdocs-vm$/i.test(q.path))).toBe(true);
    expect(log.some((q) => q.method === "GET" && /\/operations\//i.test(q.path))).toBe(true);
    const state = (await cli(["show", "--vm", "msdocs-vm", "-g", RG])).stdout;
    expect(JSON.parse(state).principalId).toBe(out.principalId);

    await emu.current.clearLog();
    const again = json<IdentityOut>(await cli(["enable", "--vm", "msdocs-vm", "-g", RG]));
    expect(again.result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);
  });

  it("reports a failed VM operation clearly with exit 1", async () => {
    await emu.current.fault({ method: "PATCH", path: "virtualMachines/msdocs-vm" }, { type: "lro-failed" });
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: .*InternalExecutionError/m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("returns at once with --no-wait on a VM", async () => {
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG, "--no-wait"]);
    expect(r.code).toBe(0);
    const out = json<IdentityOut>(r);
    expect(out.result).toBe("accepted");
    expect(out.principalId).toMatch(GUID);
    expect(out.tenantId).toBe(emu.current.handle.tenantId);
    const log = await emu.current.armRequests();
    expect(log.some((q) => /\/operations\//i.test(q.path))).toBe(false);
  });

  it("gives up waiting for a VM after --timeout with exit 6", async () => {
    // The first poll of the operation gets no answer: the deadline passes while miauth waits for the VM.
    const poll = await emu.current.hold({ method: "GET", path: "/operations/" });
    const run = cli(["enable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "3s"]);
    await poll.waitHeld(run);
    const r = await run;
    await poll.release();
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^error: timed out after 3s waiting for VM 'msdocs-vm'/m);
  });

  it("reads every --ids target before writing any: a missing one stops the run with no write", async () => {
    const ids = [emu.current.siteId("msdocs-web"), emu.current.siteId("no-such-site")];
    const r = await cli(["enable", "--ids", ids[0] ?? "", "--ids", ids[1] ?? ""]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/site 'no-such-site'/);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("accepts --ids for each kind, printing an array for several", async () => {
    const ids = [emu.current.siteId("msdocs-web"), emu.current.vmId("msdocs-vm")];
    const r = await cli(["enable", "--ids", ids[0] ?? "", "--ids", ids[1] ?? ""], {
      AZURE_SUBSCRIPTION_ID: undefined,
    });
    expect(r.code).toBe(0);
    const out = json<IdentityOut[]>(r);
    expect(out.map((o) => o.resourceId)).toEqual(ids);
    expect(out.every((o) => o.type === "SystemAssigned")).toBe(true);
  });
});

describe("dry run and output", () => {
  it("--dry-run prints before and after and sends no write", async () => {
    const r = await cli(["enable", "--functionapp", "msdocs-func", "-g", RG, "--dry-run"]);
    expect(r.code).toBe(0);
    const out = json<{ result: string; dryRun: boolean; before: IdentityOut; after: IdentityOut }>(r);
    expect(out.result).toBe("would-update");
    expect(out.before.type).toBe("UserAssigned");
    expect(out.after.type).toBe("SystemAssigned, UserAssigned");
    expect(await emu.current.writes()).toEqual([]);
    const vm = json<{ result: string }>(await cli(["disable", "--vm", "msdocs-vm", "-g", RG, "--dry-run"]));
    expect(vm.result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);
  });

  it("--query principalId -o tsv prints just the GUID", async () => {
    const r = await cli([
      "enable",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--query",
      "principalId",
      "-o",
      "tsv",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
  });

  it("show prints the identity without writing", async () => {
    const r = await cli(["show", "--functionapp", "msdocs-func", "-g", RG, "-o", "yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^type: UserAssigned$/m);
    expect(await emu.current.writes()).toEqual([]);
  });
});
