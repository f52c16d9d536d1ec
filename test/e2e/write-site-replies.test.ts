// enable / disable on a web or function app whose write reply lies or is lost: what miauth says happened
// is what a read-back shows (sites have no ETag). Split from write-faults.test.ts to run beside it.
import { describe, expect, it } from "vitest";
import { json } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { cliOf, type IdentityOut, typeInState } from "../helpers/identity.js";

const RG = "msdocs-sdk-auth-example";
const HTML = "<html><body>Sign in to continue</body></html>";

describe("saying what really happened after a site write", () => {
  const emu = useEmulator({ blob: false });
  const cli = cliOf(emu);
  const enableFunc = ["enable", "--functionapp", "msdocs-func", "-g", RG];

  it("an HTML 200 to the PATCH that took effect: reads the site again and reports what it shows", async () => {
    await emu.current.fault({ method: "PATCH" }, { type: "raw", body: HTML, apply: true });
    const r = await cli(enableFunc);
    expect(r.code).toBe(0);
    const out = json<IdentityOut>(r);
    expect(out.result).toBe("updated");
    expect(out.type).toBe("SystemAssigned, UserAssigned");
    expect(r.stderr).toMatch(
      /the reply to PATCH \/subscriptions\/.*msdocs-func is not usable: .*the change is applied/,
    );
    expect(await emu.current.writes()).toHaveLength(1);
  });

  it("an HTML 200 to a PATCH that never reached ARM: exit 1, 'not applied'", async () => {
    await emu.current.fault({ method: "PATCH" }, { type: "raw", body: HTML, apply: false });
    const r = await cli(enableFunc);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^error: the reply to PATCH .* read function app 'msdocs-func' .* again: it holds identity type UserAssigned, user-assigned msdocs-uami, not the identity asked for$/m,
    );
    expect(await typeInState(emu.current, "sites", "msdocs-func")).toBe("UserAssigned");
  });

  it.each(["drop", "truncate"])(
    "a PATCH reply lost after the write (%s, every retry): exit 0, 'applied', and a re-run writes nothing",
    async (type) => {
      await emu.current.fault({ method: "PATCH" }, { type, apply: true }, 10);
      const r = await cli(enableFunc);
      expect(r.code).toBe(0);
      expect(json<IdentityOut>(r)).toMatchObject({ result: "updated", type: "SystemAssigned, UserAssigned" });
      expect(r.stderr).toMatch(
        /PATCH \/subscriptions\/.*msdocs-func (failed|is not usable): .*; read function app 'msdocs-func' .* again: the change is applied/,
      );
      await emu.current.clearFaults();
      await emu.current.clearLog();
      expect(json<IdentityOut>(await cli(enableFunc)).result).toBe("unchanged");
      expect(await emu.current.writes()).toEqual([]);
    },
  );

  it("a PATCH dropped before it reached ARM: exit 1, 'not applied'", async () => {
    await emu.current.fault({ method: "PATCH" }, { type: "drop", apply: false }, 10);
    const r = await cli(enableFunc);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: PATCH .* failed: .*; read function app 'msdocs-func' .* again: it holds identity type UserAssigned, user-assigned msdocs-uami, not the identity asked for$/m,
    );
    expect(r.stderr).not.toMatch(/the identity was not changed/);
  });

  it("a lost PATCH reply and a site that cannot be read again: 'unknown: re-run to converge'", async () => {
    await emu.current.fault({ method: "GET", path: "msdocs-func" }, { type: "latency", ms: 0 }, 1);
    await emu.current.fault({ method: "GET", path: "msdocs-func" }, { type: "raw", body: HTML }, 5);
    await emu.current.fault({ method: "PATCH" }, { type: "drop", apply: true }, 10);
    const r = await cli(enableFunc);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: PATCH .* could not be read again .*: unknown whether the change was applied/m,
    );
    expect(r.stderr).toMatch(/re-run to converge/);
  });
});
