// enable / disable / assign-role against a network that lies: replies that are not what they claim, replies
// lost after the write took effect, a VM still updating, two runs racing. The built CLI, the emulator's faults.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { type TestEmulator, useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const HTML = "<html><body>Sign in to continue</body></html>";

interface IdentityOut {
  principalId: string | null;
  type: string;
  userAssignedIdentities: Record<string, unknown> | null;
  resourceId: string;
  result: string;
}

function cliOf(emu: { current: TestEmulator }) {
  return (args: string[]) => runCli(args, { env: { ...emu.current.env } });
}

/** The identity type the emulator holds, read past any fault. */
async function typeInState(emu: TestEmulator, kind: "sites" | "virtualMachines", name: string) {
  const state = (await emu.state()) as Record<string, { id: string; identity: { type: string } | null }[]>;
  const found = state[kind]?.find((r) => r.id.toLowerCase().endsWith(`/${name}`));
  return found?.identity?.type ?? "None";
}

async function userAssignedInState(emu: TestEmulator, name: string): Promise<string[]> {
  const state = (await emu.state()) as Record<
    string,
    { id: string; identity: { userAssignedIdentities?: Record<string, unknown> } | null }[]
  >;
  const all = [...(state.sites ?? []), ...(state.virtualMachines ?? [])];
  const found = all.find((r) => r.id.toLowerCase().endsWith(`/${name}`));
  return Object.keys(found?.identity?.userAssignedIdentities ?? {}).map((k) => k.toLowerCase());
}

describe("a reply that is not what it claims, before any write", () => {
  const emu = useEmulator();
  const cli = cliOf(emu);
  const funcPath = () => `/resourceGroups/${RG}/providers/Microsoft.Web/sites/msdocs-func`;

  it.each<[string, () => Promise<{ body: string; contentType?: string }>, RegExp]>([
    ["an HTML 200", async () => ({ body: HTML }), /content type 'text\/html', not JSON/],
    ["an empty 200", async () => ({ body: "" }), /no content type|an empty body/],
    [
      "invalid JSON",
      async () => ({ body: '{"id":', contentType: "application/json; charset=utf-8" }),
      /not valid JSON/,
    ],
    [
      "JSON without the resource's fields",
      async () => ({ body: "{}", contentType: "application/json" }),
      /no resource 'id'/,
    ],
    [
      "another site's JSON",
      async () => {
        const other = await emu.current.arm(
          "GET",
          `${emu.current.siteId("msdocs-web")}?api-version=2025-05-01`,
        );
        return { body: JSON.stringify(other.body), contentType: "application/json; charset=utf-8" };
      },
      /describes another resource/,
    ],
  ])(
    "%s to the function app's GET is exit 1 naming the request, with no write and the identity kept",
    async (_, reply, reason) => {
      const uami = emu.current.uamiId("msdocs-uami").toLowerCase();
      const raw = await reply();
      await emu.current.fault({ method: "GET", path: "sites/msdocs-func" }, { type: "raw", ...raw });
      const r = await cli(["enable", "--functionapp", "msdocs-func", "-g", RG]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`error: the reply to GET /subscriptions/${emu.current.sub}${funcPath()}`);
      expect(r.stderr).toMatch(reason);
      expect(r.stderr).not.toMatch(/api-version|Cannot read properties|\n\s+at /);
      expect(await emu.current.writes()).toEqual([]);
      expect(await typeInState(emu.current, "sites", "msdocs-func")).toBe("UserAssigned");
      expect(await userAssignedInState(emu.current, "msdocs-func")).toEqual([uami]);
    },
  );

  it("a GET reply cut off halfway is exit 1 naming the request, with no write", async () => {
    await emu.current.fault({ method: "GET", path: "sites/msdocs-func" }, { type: "truncate" }, 10);
    const r = await cli(["disable", "--functionapp", "msdocs-func", "-g", RG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: the reply to GET /subscriptions/${emu.current.sub}${funcPath()} is not usable: the body was cut off`,
    );
    expect(await emu.current.writes()).toEqual([]);
  });

  it("an HTML 200 to the VM's GET does not detach its user-assigned identity", async () => {
    const uami = emu.current.uamiId("msdocs-uami");
    const attach = ["enable", "--vm", "msdocs-vm", "-g", RG, "--user-assigned", uami, "--no-system-assigned"];
    expect((await cli(attach)).code).toBe(0);
    await emu.current.clearLog();
    await emu.current.fault(
      { method: "GET", path: "virtualMachines/msdocs-vm" },
      { type: "raw", body: HTML },
    );
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: the reply to GET \/subscriptions\/.*\/virtualMachines\/msdocs-vm is not usable/m,
    );
    expect(await emu.current.writes()).toEqual([]);
    expect(await userAssignedInState(emu.current, "msdocs-vm")).toEqual([uami.toLowerCase()]);
  });

  it("an empty 200 to show is exit 1 naming the request, not 'Cannot read properties of undefined'", async () => {
    await emu.current.fault(
      { method: "GET", path: "sites/msdocs-web" },
      { type: "raw", body: "", contentType: "application/json" },
    );
    const r = await cli(["show", "--webapp", "msdocs-web", "-g", RG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: the reply to GET \/subscriptions\/.*\/sites\/msdocs-web is not usable: an empty body/m,
    );
    expect(r.stderr).not.toMatch(/Cannot read properties/);
  });
});

describe("a list that is not what it claims", () => {
  const emu = useEmulator();
  const cli = cliOf(emu);
  const args = ["--webapp", "msdocs-web", "-g", RG, "--role", "Storage Blob Data Reader"];

  it.each<[string, { body: string; contentType?: string }]>([
    ["an HTML 200", { body: HTML }],
    ["an empty 200", { body: "" }],
    ["invalid JSON", { body: '{"value":[', contentType: "application/json; charset=utf-8" }],
    ["JSON without 'value'", { body: "{}", contentType: "application/json" }],
  ])("unassign-role given %s is exit 1 naming the request, not 'unchanged'", async (_, raw) => {
    await cli(["enable", "--webapp", "msdocs-web", "-g", RG]);
    expect((await cli(["assign-role", ...args])).code).toBe(0);
    await emu.current.clearLog();
    await emu.current.fault({ method: "GET", path: "roleAssignments" }, { type: "raw", ...raw });
    const r = await cli(["unassign-role", ...args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: the reply to GET \/subscriptions\/.*\/roleAssignments is not usable/m);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("an empty 200 to the role-definition list is exit 1, not an empty list", async () => {
    await emu.current.fault(
      { method: "GET", path: "roleDefinitions" },
      { type: "raw", body: "", contentType: "application/json" },
    );
    const r = await cli(["roles", "list"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^error: the reply to GET \/subscriptions\/.*\/roleDefinitions is not usable: an empty body/m,
    );
  });

  it("an HTML 200 to the subscription list is exit 1 naming it, not 'no subscription'", async () => {
    await emu.current.fault({ method: "GET", path: "/subscriptions" }, { type: "raw", body: HTML });
    const r = await runCli(["show", "--webapp", "msdocs-web", "-g", RG], {
      env: { ...emu.current.env, AZURE_SUBSCRIPTION_ID: undefined },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: the reply to GET \/subscriptions is not usable: content type 'text\/html'/m,
    );
  });
});

describe("saying what really happened after a write", () => {
  const emu = useEmulator();
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
      /^error: the reply to PATCH .* read function app 'msdocs-func' .* again: the change was not applied/m,
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
      /^error: PATCH .* failed: .*; read function app 'msdocs-func' .* again: the change was not applied/m,
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

  it("a failed VM operation: reads the VM again and says 'not applied'", async () => {
    await emu.current.fault({ method: "PATCH", path: "virtualMachines/msdocs-vm" }, { type: "lro-failed" });
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: updating VM 'msdocs-vm' .*InternalExecutionError.*; read VM 'msdocs-vm' .* again: the change was not applied/m,
    );
    expect(await typeInState(emu.current, "virtualMachines", "msdocs-vm")).toBe("None");
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
    await cli(["enable", "--webapp", "msdocs-web", "-g", RG]);
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

describe("a VM still updating", () => {
  // Operations take long enough for a second run to start while the first one's is running.
  const emu = useEmulator({ lroDelayMs: 6000 });
  const cli = cliOf(emu);
  const enableVm = ["enable", "--vm", "msdocs-vm", "-g", RG];

  it("a re-run waits for the running update instead of saying 'unchanged', and writes again if it failed", async () => {
    await emu.current.fault({ method: "PATCH", path: "virtualMachines/msdocs-vm" }, { type: "lro-failed" });
    const first = await cli([...enableVm, "--no-wait"]);
    expect(json<IdentityOut>(first).result).toBe("accepted");
    await emu.current.clearLog();
    const again = await cli(enableVm);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(
      /still running an update \(provisioningState Updating\); waiting for it to finish/,
    );
    expect(json<IdentityOut>(again)).toMatchObject({ result: "updated", type: "SystemAssigned" });
    expect((await emu.current.writes()).map((w) => w.method)).toEqual(["PATCH"]);
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

/** Waits until the emulator has used up every fault it was given (the requests they stand for have run). */
async function faultsTaken(emu: TestEmulator): Promise<void> {
  for (;;) {
    const active = (await emu.control("GET", "faults")) as { value: unknown[] };
    if (active.value.length === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("two runs racing: enable and disable --user-assigned", () => {
  const emu = useEmulator();
  const cli = cliOf(emu);

  it("VM: the run that read before the other wrote gets 412, reads again and keeps both changes", async () => {
    const uami = emu.current.uamiId("msdocs-uami");
    const vm = ["--vm", "msdocs-vm", "-g", RG];
    expect((await cli(["enable", ...vm, "--user-assigned", uami, "--no-system-assigned"])).code).toBe(0);
    await emu.current.clearLog();
    // A reads now; its reply comes back only after B has read, written and finished.
    await emu.current.fault(
      { method: "GET", path: "virtualMachines/msdocs-vm" },
      { type: "delay-after", ms: 8000 },
    );
    const a = cli(["enable", ...vm]);
    await faultsTaken(emu.current);
    const b = await cli(["disable", ...vm, "--user-assigned", uami]);
    expect(b.code).toBe(0);
    expect(json<IdentityOut>(b).type).toBe("None");
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
    // B (disable) reads now, and sees its reply only after A has written (6 s: far more than A needs
    // to start, read and write).
    await emu.current.fault({ method: "GET", path: "sites/msdocs-func" }, { type: "delay-after", ms: 6000 });
    const b = cli(["disable", ...func, "--user-assigned", uami]);
    await faultsTaken(emu.current);
    // A (enable) writes at once; its reply, and so its read-back, come after B's stale write.
    await emu.current.fault(
      { method: "PATCH", path: "sites/msdocs-func" },
      { type: "delay-after", ms: 9000 },
    );
    const a = cli(["enable", ...func]);
    await faultsTaken(emu.current);
    const [doneA, doneB] = await Promise.all([a, b]);
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
