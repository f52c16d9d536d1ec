// One user-assigned identity shared by the web app and the VM: one role assignment to its principal, and
// `verify` passes as each host (data plane, AZURE_CLIENT_ID or --client-id choosing the identity) and for
// it (control plane, --identity). `--identity` picks among a target's identities; names and IDs work.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { ACCOUNT, type Report, RG, step } from "../helpers/verify.js";

const emu = useEmulator({ dataPlaneDelayMs: 0, replicationDelayMs: 0 });

function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

function parseExports(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^export ([A-Z_0-9]+)='([^']*)'$/gm)) out[m[1] as string] = m[2] as string;
  return out;
}

interface Made {
  id: string;
  principalId: string;
  clientId: string;
}

/** msdocs-shared on the web app and the VM (no system identity), Storage Blob Data Reader on the account. */
async function arrange(): Promise<Made> {
  const made = json<Made>(await cli(["identity", "create", "msdocs-shared", "-g", RG]));
  for (const host of [
    ["--webapp", "msdocs-web"],
    ["--vm", "msdocs-vm"],
  ]) {
    const r = await cli([
      "enable",
      ...host,
      "-g",
      RG,
      "--user-assigned",
      "msdocs-shared",
      "--no-system-assigned",
    ]);
    expect(r.code, r.stderr).toBe(0);
  }
  const assigned = await cli([
    "assign-role",
    "--identity",
    "msdocs-shared",
    "--identity-resource-group",
    RG,
    "--role",
    "Storage Blob Data Reader",
    "--storage-account",
    ACCOUNT,
  ]);
  expect(assigned.code, assigned.stderr).toBe(0);
  expect(json(assigned)).toMatchObject({ principalId: made.principalId, result: "created" });
  return made;
}

describe("a user-assigned identity shared by a web app and a VM", () => {
  it("one role assignment to its principal; verify passes as each host with AZURE_CLIENT_ID, and fails without it", async () => {
    const made = await arrange();
    const state = (await emu.current.state()) as { roleAssignments: { principalId: string }[] };
    expect(state.roleAssignments.filter((a) => a.principalId === made.principalId)).toHaveLength(1);
    expect(state.roleAssignments.some((a) => a.principalId === made.clientId)).toBe(false);

    // The web app, through `emulator env --as` (the variables App Service gives the app).
    const printed = await cli([
      "emulator",
      "env",
      "--dir",
      emu.handle.dir,
      "--as",
      emu.current.siteId("msdocs-web"),
    ]);
    expect(printed.code, printed.stderr).toBe(0);
    const webEnv = parseExports(printed.stdout);
    expect(webEnv.IDENTITY_ENDPOINT).toBeDefined();
    const asWeb = await runCli(["verify"], { env: { ...webEnv, AZURE_CLIENT_ID: made.clientId } });
    expect(asWeb.code, asWeb.stderr).toBe(0);
    const webReport = json<Report>(asWeb);
    expect(webReport.result).toBe("pass");
    expect(webReport.identity?.objectId).toBe(made.principalId);

    // The VM, through IMDS, with --client-id instead of the variable.
    const vmEnv = emu.current.handle.envFor(emu.current.vmId("msdocs-vm"));
    const asVm = await runCli(["verify", "--client-id", made.clientId], { env: vmEnv });
    expect(asVm.code, asVm.stderr).toBe(0);
    expect(json<Report>(asVm).identity?.objectId).toBe(made.principalId);

    // Without a client ID the web app (only a user-assigned identity) gets App Service's 400.
    const none = await runCli(["verify"], { env: webEnv });
    expect(none.code).toBe(4);
    expect(step(json<Report>(none), "credential")?.code).toBe("NoDefaultManagedIdentity");
  });

  it("verify --identity (control plane), by name and by ID, and with a target picking the attached identity", async () => {
    const made = await arrange();
    const byName = await cli(["verify", "--identity", "msdocs-shared", "-g", RG, "--account", ACCOUNT]);
    expect(byName.code, byName.stderr).toBe(0);
    expect(json<Report>(byName)).toMatchObject({ mode: "control-plane", result: "pass" });
    const byId = await cli([
      "verify",
      "--identity",
      made.id,
      "--account",
      ACCOUNT,
      "--account-resource-group",
      RG,
    ]);
    expect(byId.code, byId.stderr).toBe(0);
    // Its resource ID as --principal is the same identity.
    const asPrincipal = await cli([
      "verify",
      "--principal",
      made.id,
      "--account",
      ACCOUNT,
      "--account-resource-group",
      RG,
    ]);
    expect(asPrincipal.code, asPrincipal.stderr).toBe(0);
    expect(step(json<Report>(asPrincipal), "identity")?.message).toBe(`principal ${made.principalId}`);

    const picked = await cli([
      "verify",
      "--vm",
      "msdocs-vm",
      "-g",
      RG,
      "--identity",
      "msdocs-shared",
      "--account",
      ACCOUNT,
    ]);
    expect(picked.code, picked.stderr).toBe(0);
    expect(step(json<Report>(picked), "identity")?.message).toBe(`principal ${made.principalId}`);
    // Without --identity, the target's system-assigned identity, which it does not have.
    const system = await cli(["verify", "--vm", "msdocs-vm", "-g", RG, "--account", ACCOUNT]);
    expect(system.code).not.toBe(0);
    expect(step(json<Report>(system), "identity")?.code).toBe("IdentityNotEnabled");

    // An identity not attached to the target: exit 2, naming the attached ones.
    const other = await cli([
      "verify",
      "--vm",
      "msdocs-vm",
      "-g",
      RG,
      "--identity",
      "msdocs-uami",
      "--account",
      ACCOUNT,
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/'msdocs-uami' is not attached to .*msdocs-vm.*; attached: msdocs-shared/);
  });

  it("assign-role --identity with a target picks the attached identity; re-runs write nothing; a client ID is refused", async () => {
    const made = await arrange();
    await emu.current.clearLog();
    const again = await cli([
      "assign-role",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--identity",
      made.id,
      "--role",
      "Storage Blob Data Reader",
      "--storage-account",
      ACCOUNT,
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toMatchObject({ principalId: made.principalId, result: "unchanged" });
    // The identity's resource ID as --assignee is the same principal.
    const asAssignee = await cli([
      "assign-role",
      "--assignee",
      made.id,
      "--role",
      "Storage Blob Data Reader",
      "--storage-account",
      ACCOUNT,
    ]);
    expect(asAssignee.code, asAssignee.stderr).toBe(0);
    expect(json(asAssignee)).toMatchObject({ principalId: made.principalId, result: "unchanged" });
    expect(await emu.current.writes()).toEqual([]);

    const clientId = await cli(["assign-role", "--assignee", made.clientId, "--role", "Reader", "-g", RG]);
    expect(clientId.code).toBe(2);
    expect(clientId.stderr).toContain(`its principal (object) ID is ${made.principalId}`);

    const notAttached = await cli([
      "assign-role",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--identity",
      "msdocs-uami",
      "--role",
      "Reader",
    ]);
    expect(notAttached.code).toBe(2);
    expect(notAttached.stderr).toContain("attached: msdocs-shared");
    const bad = await cli([
      "assign-role",
      "--identity",
      "msdocs-shared",
      "--role",
      "Reader",
      "--scope",
      emu.current.rg(),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--identity-resource-group/);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("identity delete of the shared identity is refused, naming the web app and the VM", async () => {
    await arrange();
    await emu.current.clearLog();
    const r = await cli(["identity", "delete", "msdocs-shared", "-g", RG]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`webapp ${emu.current.siteId("msdocs-web")}`);
    expect(r.stderr).toContain(`vm ${emu.current.vmId("msdocs-vm")}`);
    expect(r.stderr).toContain("'Storage Blob Data Reader'");
    expect(await emu.current.writes()).toEqual([]);
  });
});
