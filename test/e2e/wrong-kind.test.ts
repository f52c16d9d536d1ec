// A target named with the wrong kind's flag: after ARM's 404 the name is looked up among the other kinds
// in that group and the error says which flag to use; a web app named as a function app (or the reverse)
// is a warning, and the command goes on.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });

function cli(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

describe("a target of the wrong kind", () => {
  it.each([
    [["enable", "--webapp", "msdocs-vm", "-g", RG], `msdocs-vm is a virtual machine in ${RG}; use --vm`],
    [["show", "--functionapp", "msdocs-vm", "-g", RG], `msdocs-vm is a virtual machine in ${RG}; use --vm`],
    [
      ["disable", "--vm", "msdocs-func", "-g", RG],
      `msdocs-func is a function app in ${RG}; use --functionapp`,
    ],
    [
      ["assign-role", "--vm", "msdocs-web", "-g", RG, "--role", "Storage Blob Data Reader"],
      `msdocs-web is a web app in ${RG}; use --webapp`,
    ],
    [
      ["verify", "--webapp", "msdocs-vm", "-g", RG, "--account", "msdocsstorage"],
      `msdocs-vm is a virtual machine in ${RG}; use --vm`,
    ],
  ])("%j says what the name is (3), and writes nothing", async (args, message) => {
    await emu.current.clearLog();
    const r = await cli(args);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error: ${message}\n`);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("a name that is no kind of target keeps ARM's not-found", async () => {
    const r = await cli(["show", "--webapp", "nosuch", "-g", RG]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^error: web app 'nosuch' in resource group 'msdocs-sdk-auth-example' was not found/,
    );
    expect(r.stderr).not.toMatch(/; use --/);
  });

  it("looks nothing else up when the target is found", async () => {
    await emu.current.clearLog();
    const r = await cli(["show", "--webapp", "msdocs-web", "-g", RG]);
    expect(r.code).toBe(0);
    const paths = (await emu.current.armRequests()).map((x) => x.path);
    expect(paths.filter((p) => /virtualMachines/i.test(p))).toEqual([]);
    expect(paths.filter((p) => /\/sites\/msdocs-web$/i.test(p))).toHaveLength(1);
  });

  it("a web app named as a function app (and the reverse) is a warning; the command goes on", async () => {
    const shown = await cli(["show", "--functionapp", "msdocs-web", "-g", RG]);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(
      /^warning: msdocs-web is a web app, not a function app \(its kind is 'app'\): going on; use --webapp next time\n$/,
    );
    expect(json<{ resourceId: string }>(shown).resourceId).toBe(emu.current.siteId("msdocs-web"));

    await emu.current.clearLog();
    const enabled = await cli(["enable", "--webapp", "msdocs-func", "-g", RG]);
    expect(enabled.code).toBe(0);
    expect(enabled.stderr).toMatch(/^warning: msdocs-func is a function app, not a web app/);
    expect(json<{ result: string }>(enabled).result).toBe("updated");
    expect((await emu.current.writes()).map((w) => w.method)).toEqual(["PATCH"]);

    const correct = await cli(["show", "--functionapp", "msdocs-func", "-g", RG]);
    expect(correct.stderr).toBe("");
  });
});
