// Deployment slots end to end: `--slot NAME` and slot IDs in --ids, through the built CLI against the
// emulator. A slot has its own identity (…/sites/{app}/slots/{slot}): the app's is never touched.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { type Report, RG, step } from "../helpers/verify.js";

const emu = useEmulator({ dataPlaneDelayMs: 0, replicationDelayMs: 0 });
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WEB = ["--webapp", "msdocs-web", "-g", RG];
const SLOT = [...WEB, "--slot", "staging"];

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

function slotId(slot = "staging") {
  return `${emu.current.siteId("msdocs-web")}/slots/${slot}`;
}

interface IdentityOut {
  principalId: string | null;
  type: string;
  userAssignedIdentities: Record<string, unknown> | null;
  resourceId: string;
  result?: string;
  roleAssignments?: { roleName: string; principalId: string }[];
}

describe("enable, show and disable with --slot", () => {
  it("enables the slot's own identity with the SDK's slot operations; the app's stays off; a re-run writes nothing", async () => {
    const first = await cli(["enable", ...SLOT]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const out = json<IdentityOut>(first);
    expect(out).toMatchObject({ type: "SystemAssigned", resourceId: slotId(), result: "updated" });
    expect(out.principalId).toMatch(GUID);
    // GET, PATCH and the read-back GET of …/slots/staging, at the api-version @azure/arm-appservice
    // 19.0.0 sends (as for the app itself).
    const log = await emu.current.armRequests();
    expect(log.map((r) => [r.method, r.path, r.apiVersion])).toEqual([
      ["GET", slotId(), "2025-05-01"],
      ["PATCH", slotId(), "2025-05-01"],
      ["GET", slotId(), "2025-05-01"],
    ]);

    const app = json<IdentityOut>(await cli(["show", ...WEB]));
    expect(app).toMatchObject({
      type: "None",
      principalId: null,
      resourceId: emu.current.siteId("msdocs-web"),
    });

    await emu.current.clearLog();
    const again = await cli(["enable", ...SLOT]);
    expect(again.code).toBe(0);
    expect(json<IdentityOut>(again)).toEqual({ ...out, result: "unchanged" });
    expect(await emu.current.writes()).toEqual([]);

    const dry = json<{ result: string }>(await cli(["disable", ...SLOT, "--dry-run"]));
    expect(dry.result).toBe("would-update");
    expect(await emu.current.writes()).toEqual([]);

    const shown = json<IdentityOut>(await cli(["show", ...SLOT]));
    expect(shown).toMatchObject({ principalId: out.principalId, resourceId: slotId(), roleAssignments: [] });
  });

  it("disabling the slot leaves the app's identity, and disabling the app leaves the slot's", async () => {
    const app = json<IdentityOut>(await cli(["enable", ...WEB]));
    const slot = json<IdentityOut>(await cli(["enable", ...SLOT]));
    expect(slot.principalId).not.toBe(app.principalId);

    const off = await cli(["disable", ...SLOT]);
    expect(off.code).toBe(0);
    expect(json<IdentityOut>(off)).toMatchObject({ type: "None", resourceId: slotId() });
    expect(json<IdentityOut>(await cli(["show", ...WEB])).principalId).toBe(app.principalId);

    await cli(["enable", ...SLOT]);
    const slotNow = json<IdentityOut>(await cli(["show", ...SLOT])).principalId;
    await cli(["disable", ...WEB]);
    expect(json<IdentityOut>(await cli(["show", ...SLOT])).principalId).toBe(slotNow);
    expect(json<IdentityOut>(await cli(["show", ...WEB])).type).toBe("None");
  });

  it("keeps the slot's user-assigned identity through enable and disable", async () => {
    const uami = emu.current.uamiId("msdocs-uami");
    const attached = json<IdentityOut>(
      await cli(["enable", ...SLOT, "--no-system-assigned", "--user-assigned", uami]),
    );
    expect(attached.type).toBe("UserAssigned");
    const both = json<IdentityOut>(await cli(["enable", ...SLOT]));
    expect(both.type).toBe("SystemAssigned, UserAssigned");
    expect(Object.keys(both.userAssignedIdentities ?? {})).toEqual([uami]);
    const off = json<IdentityOut>(await cli(["disable", ...SLOT]));
    expect(off.type).toBe("UserAssigned");
    expect(Object.keys(off.userAssignedIdentities ?? {})).toEqual([uami]);
    await emu.current.clearLog();
    expect((await cli(["disable", ...SLOT])).code).toBe(0);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("a slot ID in --ids, spelled in any case as ARM reads it, names the same slot", async () => {
    const spelled = slotId().replace("resourceGroups", "resourcegroups").replace("/slots/", "/Slots/");
    const r = await cli(["enable", "--ids", spelled]);
    expect(r.code).toBe(0);
    const out = json<IdentityOut>(r);
    expect(out.resourceId).toBe(slotId());
    expect(json<IdentityOut>(await cli(["show", "--ids", slotId()])).principalId).toBe(out.principalId);
    await emu.current.clearLog();
    // With the app in the same run: one object each, and only the app is written.
    const both = await cli(["enable", "--ids", slotId(), "--ids", emu.current.siteId("msdocs-web")]);
    expect(both.code).toBe(0);
    expect(json<IdentityOut[]>(both).map((o) => o.result)).toEqual(["unchanged", "updated"]);
    expect((await emu.current.writes()).map((w) => w.path)).toEqual([emu.current.siteId("msdocs-web")]);
  });

  it("a slot that does not exist is exit 3, named as a slot of its app", async () => {
    const r = await cli(["show", ...WEB, "--slot", "blue"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(`^error: slot 'blue' of web app 'msdocs-web' in resource group '${RG}' was not found`, "m"),
    );
  });
});

describe("a slot's replies are checked and its writes read back, as a site's", () => {
  it("a GET of the slot answered with the app's body is refused before any write", async () => {
    const app = await emu.current.arm("GET", `${emu.current.siteId("msdocs-web")}?api-version=2025-05-01`);
    await emu.current.fault(
      { method: "GET", path: "/slots/staging" },
      { type: "raw", contentType: "application/json; charset=utf-8", body: JSON.stringify(app.body) },
    );
    const r = await cli(["enable", ...SLOT]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: the reply to GET \/subscriptions\/.*\/sites\/msdocs-web\/slots\/staging is not usable: /m,
    );
    expect(await emu.current.writes()).toEqual([]);
  });

  it("a PATCH reply that is not the slot: read again, and the change is reported applied", async () => {
    await emu.current.fault(
      { method: "PATCH", path: "/slots/staging" },
      { type: "raw", body: "<html><body>Sign in</body></html>", apply: true },
    );
    const r = await cli(["enable", ...SLOT]);
    expect(r.code).toBe(0);
    expect(json<IdentityOut>(r)).toMatchObject({
      result: "updated",
      type: "SystemAssigned",
      resourceId: slotId(),
    });
    expect(r.stderr).toMatch(/read slot 'staging' of web app 'msdocs-web' .* again: the change is applied/);
    expect((await emu.current.writes()).length).toBe(1);
  });
});

describe("assign-role and verify with --slot", () => {
  const STORE = () => `${emu.current.rg()}/providers/Microsoft.Storage/storageAccounts/msdocsstorage`;

  it("assigns a role to the slot's identity, and verify (control plane) checks that identity", async () => {
    const noIdentity = await cli(["verify", ...SLOT, "--account", "msdocsstorage"]);
    expect(noIdentity.code).toBe(3);
    expect(json<Report>(noIdentity).fix).toBe(`miauth enable ${SLOT.join(" ")}`);

    const enabled = json<IdentityOut>(await cli(["enable", ...SLOT]));
    const failing = await cli(["verify", ...SLOT, "--account", "msdocsstorage"]);
    expect(failing.code).toBe(5);
    expect(json<Report>(failing).fix).toBe(
      `miauth assign-role ${SLOT.join(" ")} --role "Storage Blob Data Reader" --scope ${STORE()}`,
    );

    const assigned = await cli([
      "assign-role",
      ...SLOT,
      "--role",
      "Storage Blob Data Reader",
      "--scope",
      STORE(),
    ]);
    expect(assigned.code).toBe(0);
    expect(json<{ principalId: string; result: string }>(assigned)).toMatchObject({
      principalId: enabled.principalId,
      result: "created",
    });
    const passing = await cli(["verify", ...SLOT, "--account", "msdocsstorage"]);
    expect(passing.code).toBe(0);
    expect(json<Report>(passing).identity).toMatchObject({ principalId: enabled.principalId });
    // show lists the role with the slot's identity.
    const shown = json<IdentityOut>(await cli(["show", ...SLOT]));
    expect(shown.roleAssignments?.map((a) => [a.roleName, a.principalId])).toEqual([
      ["Storage Blob Data Reader", enabled.principalId],
    ]);

    await emu.current.clearLog();
    const rerun = await cli([
      "assign-role",
      "--ids",
      slotId(),
      "--role",
      "Storage Blob Data Reader",
      "--scope",
      STORE(),
    ]);
    expect(rerun.code).toBe(0);
    expect(json<{ result: string }>(rerun).result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);
  });

  it("verify inside the slot (data plane) reads as the slot's identity; without one, the fix names the slot", async () => {
    const env = () => ({ ...emu.current.handle.envFor(slotId()) });
    const without = await runCli(["verify"], { env: env() });
    expect(without.code).toBe(4);
    expect(json<Report>(without).fix).toBe(`enable one: miauth enable ${SLOT.join(" ")}`);
    expect(step(json<Report>(without), "credential")?.cause).toMatch(
      /^slot 'staging' of the web app 'msdocs-web' has no managed identity/,
    );

    const principalId = json<IdentityOut>(await cli(["enable", ...SLOT])).principalId ?? "";
    await emu.current.assignRole(principalId, "Storage Blob Data Reader");
    const inside = await runCli(["verify"], { env: env() });
    expect(inside.code).toBe(0);
    const report = json<Report>(inside);
    expect(report.identity).toMatchObject({ objectId: principalId });
    expect(step(report, "credential")?.status).toBe("pass");
  });
});

describe("--slot misuse", () => {
  it("is a usage error before any request: with --vm, with --ids, without an app", async () => {
    const cases: [string[], string][] = [
      [
        ["enable", "--vm", "msdocs-vm", "-g", RG, "--slot", "staging"],
        "error: --slot is for web apps and function apps, not --vm",
      ],
      [
        ["show", "--ids", slotId(), "--slot", "staging"],
        "error: --slot cannot be combined with --ids: give the slot's ID (…/providers/Microsoft.Web/sites/{app}/slots/{slot})",
      ],
      [
        ["verify", "--account", "msdocsstorage", "--slot", "staging"],
        "error: --slot needs the app: --webapp NAME or --functionapp NAME (with -g)",
      ],
      [
        ["enable", ...WEB, "--slot", "production"],
        "error: --slot 'production' is the app itself: leave out the slot",
      ],
    ];
    for (const [args, error] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`${error}\n`);
    }
    expect(await emu.current.requests()).toEqual([]);
  });
});
