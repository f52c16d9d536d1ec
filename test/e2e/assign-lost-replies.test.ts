// assign-role when the role-assignment PUT's reply is lost: after the write took effect ('created'),
// or before ARM saw it ('not created'). Split from write-lost-replies.test.ts to run beside it.
import { describe, expect, it } from "vitest";
import { json } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { cliOf, type IdentityOut } from "../helpers/identity.js";

const RG = "msdocs-sdk-auth-example";
const _HTML = "<html><body>Sign in to continue</body></html>";

describe("saying what really happened after a role-assignment write", () => {
  const emu = useEmulator({ blob: false });
  const cli = cliOf(emu);

  it("a role-assignment PUT whose reply is lost after it took effect is reported created", async () => {
    const enabled = json<IdentityOut>(await cli(["enable", "--webapp", "msdocs-web", "-g", RG]));
    await emu.current.fault({ method: "PUT", path: "roleAssignments" }, { type: "drop", apply: true }, 10);
    const assign = ["assign-role", "--webapp", "msdocs-web", "-g", RG, "--role", "Storage Blob Data Reader"];
    const r = await cli(assign);
    expect(r.code).toBe(0);
    expect(json<{ result: string; principalId: string }>(r)).toMatchObject({
      result: "created",
      principalId: enabled.principalId,
    });
    expect(r.stderr).toMatch(
      /PUT .*roleAssignments\/.* failed .*; listed the assignments again: it was created/,
    );
  });

  it("a role-assignment PUT dropped before ARM saw it: exit 1, 'not created'", async () => {
    await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.fault({ method: "PUT", path: "roleAssignments" }, { type: "drop", apply: false }, 10);
    const r = await cli([
      "assign-role",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--role",
      "Storage Blob Data Reader",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/listed the assignments again: it was not created/);
  });
});
