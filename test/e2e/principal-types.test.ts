// assign-role against real ARM's principal-type rules: a user or group assignee without a type flag
// (miauth sends ServicePrincipal, ARM answers UnmatchedPrincipalType, miauth retries once with ARM's
// type), a wrong explicit type, and a user-assigned identity's client ID given as the assignee.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { type LoggedRequest, useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const principal = (type: string) =>
  (DEFAULT_WORLD.principals ?? []).find((p) => p.type === type)?.principalId ?? "";
const USER = principal("User");
const GROUP = principal("Group");
const UAMI = (DEFAULT_WORLD.userAssignedIdentities ?? [])[0] ?? { name: "", clientId: "", principalId: "" };
// Two more identities listed first, and pages of two: the identity asked about is on the second page.
const OTHERS = [
  {
    resourceGroup: RG,
    name: "other-uami-1",
    principalId: "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
    clientId: "1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b",
  },
  {
    resourceGroup: RG,
    name: "other-uami-2",
    principalId: "2f3a4b5c-6d7e-4f8a-9b0c-1d2e3f4a5b6c",
    clientId: "3a4b5c6d-7e8f-4a9b-8c1d-2e3f4a5b6c7d",
  },
];

const emu = useEmulator({
  blob: false,
  pageSize: 2,
  seed: {
    ...DEFAULT_WORLD,
    userAssignedIdentities: [...OTHERS, ...(DEFAULT_WORLD.userAssignedIdentities ?? [])],
  },
});

function cli(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

interface Result {
  principalId: string;
  result: string;
  principalType: string | null;
}

const puts = async (): Promise<LoggedRequest[]> =>
  (await emu.current.writes()).filter((r) => r.method === "PUT" && /roleAssignments\//i.test(r.path));

async function assignedTypes(principalId: string): Promise<string[]> {
  const state = (await emu.current.state()) as {
    roleAssignments: { principalId: string; principalType: string }[];
  };
  return state.roleAssignments.filter((a) => a.principalId === principalId).map((a) => a.principalType);
}

const assign = (...more: string[]) => ["assign-role", "--role", "Reader", "-g", RG, ...more];

describe("assign-role: principal types", () => {
  it.each([
    ["User", USER],
    ["Group", GROUP],
  ])(
    "a %s assignee without a type flag ends assigned as one; the re-run writes nothing",
    async (type, id) => {
      const r = await cli(assign("--assignee", id));
      expect(r.code, r.stderr).toBe(0);
      expect(json<Result>(r)).toMatchObject({ principalId: id, result: "created", principalType: type });
      const retry = r.stderr.split("\n").filter((l) => /UnmatchedPrincipalType/.test(l));
      expect(retry).toEqual([
        `warning: ${id} is a ${type}, not a ServicePrincipal (ARM: UnmatchedPrincipalType); assigning again as ${type}`,
      ]);
      expect((await puts()).map((p) => p.status)).toEqual([400, 201]);
      expect(await assignedTypes(id)).toEqual([type]);

      await emu.current.clearLog();
      const again = await cli(assign("--assignee", id));
      expect(again.code, again.stderr).toBe(0);
      expect(json<Result>(again)).toMatchObject({ result: "unchanged", principalType: type });
      expect(again.stderr).not.toMatch(/UnmatchedPrincipalType/);
      expect(await emu.current.writes()).toEqual([]);
    },
  );

  it("a re-run with a wrong explicit type still finds the assignment first and writes nothing", async () => {
    expect((await cli(assign("--assignee", GROUP))).code).toBe(0);
    await emu.current.clearLog();
    const r = await cli(assign("--assignee", GROUP, "--assignee-principal-type", "User"));
    expect(r.code, r.stderr).toBe(0);
    expect(json<Result>(r)).toMatchObject({ result: "unchanged", principalType: "Group" });
    expect(await emu.current.writes()).toEqual([]);
  });

  it("a wrong explicit type is exit 2 with one line naming the real type, and nothing is assigned", async () => {
    const r = await cli(assign("--assignee", USER, "--assignee-principal-type", "servicePRINCIPAL"));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors).toEqual([
      `error: --assignee-principal-type ServicePrincipal is wrong: ARM says ${USER} is a User (UnmatchedPrincipalType); nothing was assigned`,
    ]);
    expect(r.stderr).toMatch(/^hint: pass --assignee-principal-type User, or leave the flag out/m);
    // The one PUT is how ARM is asked; it was refused and not retried.
    expect((await puts()).map((p) => p.status)).toEqual([400]);
    expect(await assignedTypes(USER)).toEqual([]);
  });

  it("a right explicit type (any case) is one PUT", async () => {
    const r = await cli(assign("--assignee", USER, "--assignee-principal-type", "user"));
    expect(r.code, r.stderr).toBe(0);
    expect(json<Result>(r)).toMatchObject({ result: "created", principalType: "User" });
    expect((await puts()).map((p) => p.status)).toEqual([201]);
  });

  it("a ServicePrincipal assignee is exactly one PUT, with no retry", async () => {
    const r = await cli(assign("--assignee", UAMI.principalId));
    expect(r.code, r.stderr).toBe(0);
    expect(json<Result>(r)).toMatchObject({ result: "created", principalType: "ServicePrincipal" });
    expect(r.stderr).not.toMatch(/UnmatchedPrincipalType/);
    expect((await puts()).map((p) => p.status)).toEqual([201]);
  });

  it("an UnmatchedPrincipalType whose types cannot be read is ARM's own message, exit 1, no retry", async () => {
    await emu.current.fault(
      { method: "PUT", path: "/providers/Microsoft.Authorization/roleAssignments/" },
      {
        type: "status",
        status: 400,
        code: "UnmatchedPrincipalType",
        message: "The principal type is wrong.",
      },
    );
    const r = await cli(assign("--assignee", USER));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: UnmatchedPrincipalType: The principal type is wrong\.$/m);
    expect(r.stderr).not.toMatch(/assigning again/);
    expect((await puts()).map((p) => p.status)).toEqual([400]);
  });

  it("an invalid type is exit 2 before any request", async () => {
    const r = await cli(assign("--assignee", USER, "--assignee-principal-type", "Robot"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid --assignee-principal-type 'Robot': use User, Group/m);
    expect(await emu.current.armRequests()).toEqual([]);
  });
});

describe("assign-role: a user-assigned identity's client ID as the assignee", () => {
  const message = `'${UAMI.clientId}' is the client ID of user-assigned identity '${UAMI.name}' (resource group '${RG}'); its principal (object) ID is ${UAMI.principalId}: pass that to --assignee`;
  const lists = async () =>
    (await emu.current.armRequests()).filter((r) =>
      /\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities$/i.test(r.path),
    );

  it("--assignee is exit 2 naming the identity and its principal ID; nothing is written", async () => {
    const r = await cli(assign("--assignee", UAMI.clientId));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toEqual([`error: ${message}`]);
    expect(await emu.current.writes()).toEqual([]);
    // The list was read to its second page (nextLink), once.
    expect((await lists()).length).toBe(2);
  });

  it("--assignees-file: one list for every entry, exit 2 before any PUT", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "miauth-")), "principals.txt");
    writeFileSync(file, `${USER}\n${GROUP}\n${UAMI.clientId.toUpperCase()}\n`);
    const r = await cli(assign("--assignees-file", file));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is the client ID of user-assigned identity '${UAMI.name}'`);
    expect(r.stderr).toContain(`its principal (object) ID is ${UAMI.principalId}`);
    expect(await emu.current.writes()).toEqual([]);
    // One list (its two pages) for the three assignees, not one per assignee.
    expect((await lists()).length).toBe(2);
  });

  it("without read access to identities the check is skipped with a warning, and the assignment is made", async () => {
    await emu.current.fault(
      { method: "GET", path: "/providers/Microsoft.ManagedIdentity/userAssignedIdentities" },
      {
        type: "status",
        status: 403,
        code: "AuthorizationFailed",
        message: `The client 'x' with object id 'x' does not have authorization to perform action 'Microsoft.ManagedIdentity/userAssignedIdentities/read' over scope '/subscriptions/s' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      },
    );
    const r = await cli(assign("--assignee", UAMI.principalId));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^warning: could not list the user-assigned identities \(AuthorizationFailed\): not checked whether an assignee is one's client ID$/m,
    );
    expect((await puts()).map((p) => p.status)).toEqual([201]);
  });
});
