// After a VM or role-assignment write whose reply was lost or whose operation failed, miauth reads again
// and says what really happened (split from write-races.test.ts: the SDK's retry backoff on every
// dropped attempt makes these the slowest tests, and a file of their own runs beside the others).
import { describe, expect, it } from "vitest";
import { json } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { cliOf, type IdentityOut, typeInState } from "../helpers/identity.js";

const RG = "msdocs-sdk-auth-example";
const HTML = "<html><body>Sign in to continue</body></html>";

describe("saying what really happened after a VM write", () => {
  const emu = useEmulator({ blob: false });
  const cli = cliOf(emu);

  it("a failed VM operation: reads the VM again and says what it holds", async () => {
    await emu.current.fault({ method: "PATCH", path: "virtualMachines/msdocs-vm" }, { type: "lro-failed" });
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: updating VM 'msdocs-vm' .*InternalExecutionError.*; read VM 'msdocs-vm' .* again: it holds identity type None, provisioningState Failed, not the identity asked for$/m,
    );
    expect(await typeInState(emu.current, "virtualMachines", "msdocs-vm")).toBe("None");
  });

  it("a failed VM operation on a VM that has an identity: the error names what the VM holds, as read", async () => {
    await emu.current.enableSystem(emu.current.vmId("msdocs-vm"));
    await emu.current.fault({ method: "PATCH", path: "virtualMachines/msdocs-vm" }, { type: "lro-failed" });
    const uami = emu.current.uamiId("msdocs-uami");
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG, "--user-assigned", uami]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /again: it holds identity type SystemAssigned, provisioningState Failed, not the identity/,
    );
    expect(r.stderr).not.toMatch(/not applied|not changed/);
    expect(await typeInState(emu.current, "virtualMachines", "msdocs-vm")).toBe("SystemAssigned");
  });

  it("a VM PATCH reply lost after the write: 'applied' once the VM has finished updating", async () => {
    await emu.current.fault({ method: "PATCH" }, { type: "drop", apply: true }, 10);
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG]);
    expect(r.code).toBe(0);
    expect(json<IdentityOut>(r)).toMatchObject({ result: "updated", type: "SystemAssigned" });
    expect(r.stderr).toMatch(/the change is applied/);
  });

  it("--no-wait: a lost PATCH reply is checked ('accepted'), and a bad follow-up GET is not reported as None", async () => {
    await emu.current.fault({ method: "PATCH" }, { type: "drop", apply: true }, 10);
    const lost = await cli(["enable", "--vm", "msdocs-vm", "-g", RG, "--no-wait"]);
    expect(lost.code).toBe(0);
    expect(json<IdentityOut>(lost)).toMatchObject({ result: "accepted", type: "SystemAssigned" });
    expect(lost.stderr).toMatch(/the change is applied/);

    await emu.current.reset();
    await emu.current.fault({ method: "GET", path: "msdocs-vm" }, { type: "latency", ms: 0 }, 1);
    await emu.current.fault({ method: "GET", path: "msdocs-vm" }, { type: "raw", body: HTML }, 1);
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG, "--no-wait"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^error: ARM accepted the change, but VM 'msdocs-vm' .* could not be read again/m,
    );
  });
});
