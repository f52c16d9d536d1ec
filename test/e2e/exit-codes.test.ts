// Exit codes agree across commands: what does not exist is 3 (not found), however it was named.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { ACCOUNT, CONTAINER, OPERATOR_DATA_READER, type Report, RG, step } from "../helpers/verify.js";

const emu = useEmulator({
  seed: {
    ...DEFAULT_WORLD,
    roleAssignments: [...DEFAULT_WORLD.roleAssignments, OPERATOR_DATA_READER],
  } as typeof DEFAULT_WORLD,
});

const P = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5";
const NO_ROLE_GUID = "0d0d0d0d-1111-4222-8333-444455556666";

function cli(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

describe("an unknown role is not found (3), by name or by GUID", () => {
  it.each([["assign-role"], ["unassign-role"]])(
    "%s: the same exit code for both, nothing written",
    async (command) => {
      const byName = await cli([
        command,
        "--assignee",
        P,
        "--role",
        "Storage Blob Data Contribtor",
        "-g",
        RG,
      ]);
      const byGuid = await cli([command, "--assignee", P, "--role", NO_ROLE_GUID, "-g", RG]);
      expect([byName.code, byName.stdout]).toEqual([3, ""]);
      expect([byGuid.code, byGuid.stdout]).toEqual([3, ""]);
      expect(byName.stderr).toMatch(
        /^error: unknown role 'Storage Blob Data Contribtor'\nhint: did you mean 'Storage Blob Data Contributor'/,
      );
      expect(byGuid.stderr).toMatch(
        new RegExp(`^error: role definition '${NO_ROLE_GUID}' does not exist at scope `),
      );
      expect(await emu.current.writes()).toEqual([]);
    },
  );

  it("an ambiguous or malformed role is still bad input (2), before or without a write", async () => {
    const empty = await cli(["assign-role", "--assignee", P, "--role", " ", "-g", RG]);
    expect([empty.code, empty.stderr]).toEqual([2, "error: --role is empty\n"]);
  });
});

describe("verify --container that does not exist is not found (3) and lists the containers seen", () => {
  it.each([["read"], ["write"]])("--access %s", async (access) => {
    if (access === "write") {
      // Writing needs a data role that allows it; then the missing container is what fails.
      await emu.current.assignRole(DEFAULT_WORLD.operator.principalId, "Storage Blob Data Contributor");
      await emu.current.advance(60_000);
    }
    const r = await cli(["verify", "--account", ACCOUNT, "--container", "nosuch", "--access", access]);
    expect(r.code).toBe(3);
    const report = json<Report>(r);
    const failed = report.steps.find((s) => s.status === "fail");
    expect(failed).toMatchObject({
      code: "ContainerNotFound",
      message: `container 'nosuch' does not exist; the containers seen: ${CONTAINER}`,
      cause: `container 'nosuch' does not exist; the containers seen: ${CONTAINER}`,
      fix: `pass --container with an existing container, or create it: az storage container create --account-name ${ACCOUNT} --name nosuch --auth-mode login`,
    });
    expect(step(report, "list-containers")?.status).toBe("pass");
    // The summary says why once (cause), and the error line names the step and the code.
    expect(r.stderr).toMatch(
      new RegExp(`^cause: container 'nosuch' does not exist; the containers seen: ${CONTAINER}$`, "m"),
    );
    expect(r.stderr).toMatch(/^error: verify failed: [a-z-]+ \(ContainerNotFound\)$/m);
    // No probe was left anywhere.
    expect(
      (await emu.current.blobNames(ACCOUNT, CONTAINER)).filter((n) => n.startsWith("miauth-verify-probe-")),
    ).toEqual([]);
  });

  it("the container that exists passes, for comparison", async () => {
    const r = await cli(["verify", "--account", ACCOUNT, "--container", CONTAINER]);
    expect(r.code).toBe(0);
    expect(json<Report>(r).result).toBe("pass");
  });
});
