// enable / disable / assign-role against a network that lies: replies that are not what they claim, and
// site writes whose reply is lost after the write took effect. The built CLI, the emulator's faults.
// VMs, role assignments and two runs racing are in write-races.test.ts (the two files run side by side).
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { cliOf, typeInState, userAssignedInState } from "../helpers/identity.js";

const RG = "msdocs-sdk-auth-example";
const HTML = "<html><body>Sign in to continue</body></html>";

describe("a reply that is not what it claims, before any write", () => {
  const emu = useEmulator({ blob: false });
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
  const emu = useEmulator({ blob: false });
  const cli = cliOf(emu);
  const args = ["--webapp", "msdocs-web", "-g", RG, "--role", "Storage Blob Data Reader"];

  it.each<[string, { body: string; contentType?: string }]>([
    ["an HTML 200", { body: HTML }],
    ["an empty 200", { body: "" }],
    ["invalid JSON", { body: '{"value":[', contentType: "application/json; charset=utf-8" }],
    ["JSON without 'value'", { body: "{}", contentType: "application/json" }],
  ])("unassign-role given %s is exit 1 naming the request, not 'unchanged'", async (_, raw) => {
    await emu.current.assignRole(
      await emu.current.enableSystem(emu.current.siteId("msdocs-web")),
      "Storage Blob Data Reader",
    );
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
