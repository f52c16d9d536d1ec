// enable / disable / assign-role where ARM keeps working after it answers: VM operations that still run,
// two runs racing on one resource, replies that miss the deadline (lost replies: write-lost-replies.test.ts).
// Replies are held and VM operations ended when the test says (hold faults, operations/settle), never after
// a wait. Split from write-faults.test.ts so the two files run side by side.
import { describe, expect, it } from "vitest";
import { json } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { cliOf, type IdentityOut, typeInState, userAssignedInState } from "../helpers/identity.js";

const RG = "msdocs-sdk-auth-example";

describe("a VM still updating", () => {
  // Operations run until the test settles them.
  const emu = useEmulator({ blob: false, lroDelayMs: Number.POSITIVE_INFINITY });
  const cli = cliOf(emu);
  const enableVm = ["enable", "--vm", "msdocs-vm", "-g", RG];
  const vmPath = "virtualMachines/msdocs-vm";

  it("a re-run waits for the running update instead of saying 'unchanged', and writes again if it failed", async () => {
    await emu.current.fault({ method: "PATCH", path: vmPath }, { type: "lro-failed" });
    const first = await cli([...enableVm, "--no-wait"]);
    expect(json<IdentityOut>(first).result).toBe("accepted");
    await emu.current.clearLog();
    const read = await emu.current.hold({ method: "GET", path: vmPath });
    const write = await emu.current.hold({ method: "PATCH", path: vmPath });
    const again = cli(enableVm);
    // The re-run has read the VM while the first update runs; that update fails before it hears so.
    await read.waitHeld(again);
    await emu.current.settle();
    await read.release();
    // It waits, reads the VM back as it was, and writes again; that update succeeds.
    await write.waitHeld(again);
    await emu.current.settle();
    await write.release();
    const done = await again;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(
      /still running an update \(provisioningState Updating\); waiting for it to finish/,
    );
    expect(json<IdentityOut>(done)).toMatchObject({ result: "updated", type: "SystemAssigned" });
    expect((await emu.current.writes()).map((w) => w.method)).toEqual(["PATCH"]);
  });

  it("the deadline while the VM runs another update: exit 6, 'that operation goes on in Azure'", async () => {
    expect(json<IdentityOut>(await cli([...enableVm, "--no-wait"])).result).toBe("accepted");
    const r = await cli(["disable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "4s"]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(
      /^error: timed out after 4s waiting for VM 'msdocs-vm' .*to finish the update it is running \(provisioningState Updating\)$/m,
    );
    expect(r.stderr).toMatch(/^hint: that operation goes on in Azure; run again when it has finished/m);
    expect(r.stderr.match(/^error: /gm)).toHaveLength(1);
    expect((await emu.current.writes()).map((w) => w.method)).toEqual(["PATCH"]);
  });

  it("the deadline while our own update runs: exit 6, 'the update goes on in Azure'", async () => {
    const r = await cli([...enableVm, "--timeout", "4s"]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^error: timed out after 4s waiting for VM 'msdocs-vm' .*to finish updating$/m);
    expect(r.stderr).toMatch(/^hint: the update goes on in Azure/m);
    await emu.current.settle();
    expect(await typeInState(emu.current, "virtualMachines", "msdocs-vm")).toBe("SystemAssigned");
  });

  it("--no-wait while the same update runs reports it as accepted, with no write", async () => {
    expect(json<IdentityOut>(await cli([...enableVm, "--no-wait"])).result).toBe("accepted");
    await emu.current.clearLog();
    const again = await cli([...enableVm, "--no-wait"]);
    expect(again.code).toBe(0);
    expect(json<IdentityOut>(again).result).toBe("accepted");
    expect(again.stderr).toMatch(/still running an update \(provisioningState Updating\)/);
    expect(await emu.current.writes()).toEqual([]);
  });
});

describe("two runs racing: enable and disable --user-assigned", () => {
  const emu = useEmulator({ blob: false });
  const cli = cliOf(emu);

  it("VM: the run that read before the other wrote gets 412, reads again and keeps both changes", async () => {
    const uami = emu.current.uamiId("msdocs-uami");
    const vm = ["--vm", "msdocs-vm", "-g", RG];
    expect((await cli(["enable", ...vm, "--user-assigned", uami, "--no-system-assigned"])).code).toBe(0);
    await emu.current.clearLog();
    // A reads now; its reply comes back only after B has read, written and finished.
    const readA = await emu.current.hold({ method: "GET", path: "virtualMachines/msdocs-vm" });
    const a = cli(["enable", ...vm]);
    await readA.waitHeld(a);
    const b = await cli(["disable", ...vm, "--user-assigned", uami]);
    expect(b.code).toBe(0);
    expect(json<IdentityOut>(b).type).toBe("None");
    await readA.release();
    const done = await a;
    // Both changes hold: the system identity is on, the detached identity did not come back.
    expect(await typeInState(emu.current, "virtualMachines", "msdocs-vm")).toBe("SystemAssigned");
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/changed after miauth read it \(412 PreconditionFailed\); reading it again/);
    expect(json<IdentityOut>(done)).toMatchObject({ result: "updated", type: "SystemAssigned" });
    const patches = (await emu.current.writes()).map((w) => w.status);
    expect(patches).toEqual([200, 412, 200]);
  });

  it("site (no ETag): a write undone by a stale one is seen on read-back and written again", async () => {
    const uami = emu.current.uamiId("msdocs-uami");
    const func = ["--functionapp", "msdocs-func", "-g", RG];
    // B (disable) reads now, and sees its reply only after A has written.
    const readB = await emu.current.hold({ method: "GET", path: "sites/msdocs-func" });
    const b = cli(["disable", ...func, "--user-assigned", uami]);
    await readB.waitHeld(b);
    // A (enable) writes now; its reply, and so its read-back, come after B's stale write.
    const writeA = await emu.current.hold({ method: "PATCH", path: "sites/msdocs-func" });
    const a = cli(["enable", ...func]);
    await writeA.waitHeld(a);
    await readB.release();
    const doneB = await b;
    await writeA.release();
    const doneA = await a;
    expect(await typeInState(emu.current, "sites", "msdocs-func")).toBe("SystemAssigned");
    expect(await userAssignedInState(emu.current, "msdocs-func")).toEqual([]);
    expect(doneB.code).toBe(0);
    expect(doneA.code).toBe(0);
    expect(doneA.stderr).toMatch(/does not show the change after the write .*; planning anew/);
    expect(json<IdentityOut>(doneA)).toMatchObject({ result: "updated", type: "SystemAssigned" });
  });

  it("gives up after 3 writes that each meet 412, exit 1", async () => {
    await emu.current.fault(
      { method: "PATCH", path: "virtualMachines/msdocs-vm" },
      {
        type: "status",
        status: 412,
        code: "PreconditionFailed",
        message: "Etag provided in if-match header does not match.",
      },
      10,
    );
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: VM 'msdocs-vm' .* kept changing while miauth was writing to it; gave up after 3 writes/m,
    );
    expect((await emu.current.writes()).map((w) => w.status)).toEqual([412, 412, 412]);
  });
});
