// A write whose reply does not come before --timeout: exit 6, and the message says the write was sent
// and may have been applied. Split from write-races.test.ts to run beside it.
import { describe, expect, it } from "vitest";
import { useEmulator } from "../helpers/emulator.js";
import { cliOf, typeInState } from "../helpers/identity.js";

const RG = "msdocs-sdk-auth-example";

describe("a write whose reply does not come before the deadline", () => {
  const emu = useEmulator({ blob: false });
  const cli = cliOf(emu);

  it("a site PATCH: exit 6, 'the write was sent; unknown whether it was applied', and it was", async () => {
    const write = await emu.current.hold({ method: "PATCH", path: "sites/msdocs-web" });
    const run = cli(["enable", "--webapp", "msdocs-web", "-g", RG, "--timeout", "5s"]);
    await write.waitHeld(run);
    const r = await run;
    await write.release();
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(
      /^error: timed out after 5s waiting for the reply to PATCH \S+\/sites\/msdocs-web: the write was sent; unknown whether it was applied$/m,
    );
    expect(r.stderr).toMatch(/^hint: re-run to converge/m);
    expect(r.stderr).not.toMatch(/an endpoint did not answer in time/);
    expect(await typeInState(emu.current, "sites", "msdocs-web")).toBe("SystemAssigned");
  });

  it("a role-assignment PUT: exit 6, 'unknown whether it was created', no DOMException code", async () => {
    await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const put = await emu.current.hold({ method: "PUT", path: "roleAssignments" });
    const run = cli([
      "assign-role",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--role",
      "Storage Blob Data Reader",
      "--timeout",
      "5s",
    ]);
    await put.waitHeld(run);
    const r = await run;
    await put.release();
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(
      /^error: timed out waiting for the reply to PUT \S+roleAssignments\/\S+: the write was sent; unknown whether it was created$/m,
    );
    expect(r.stderr).toMatch(/^hint: re-run to converge \(assign-role is safe to repeat\)/m);
    expect(r.stderr).not.toMatch(/\b23\b|aborted due to timeout/);
  });
});
