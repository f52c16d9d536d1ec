// Every fix miauth prints on its error paths is a complete command (no placeholder), and a printed fix,
// run as printed, does what it says against the emulator: the data plane's (where the app cannot see the
// account's group: --storage-account), the control plane's, and the hints of assign-role.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { type CliResult, json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { miauthCommands, PLACEHOLDER, shellWords } from "../helpers/fixes.js";
import { ACCOUNT, type Report, RG, step } from "../helpers/verify.js";

const EMPTY = "msdocsempty";
const emu = useEmulator({
  dataPlaneDelayMs: 0,
  replicationDelayMs: 0,
  seed: {
    ...DEFAULT_WORLD,
    storageAccounts: [
      ...(DEFAULT_WORLD.storageAccounts ?? []),
      { resourceGroup: RG, name: EMPTY, containers: [] },
    ],
  } as typeof DEFAULT_WORLD,
});

function operator(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

/** verify run as the web app, with only the app's environment. */
function asApp(args: string[] = [], extra: Record<string, string> = {}) {
  return runCli(["verify", ...args], {
    env: { ...emu.current.handle.envFor(emu.current.siteId("msdocs-web")), ...extra },
  });
}

/** The fixes and hints a failed run printed: the JSON report's fix fields and stderr's hint lines. */
function printedFixes(r: CliResult): string[] {
  const out: string[] = [];
  try {
    const report = JSON.parse(r.stdout) as Report;
    if (report.fix) out.push(report.fix);
    for (const s of report.steps ?? []) if (s.fix) out.push(s.fix);
  } catch {
    // Not a verify report.
  }
  for (const line of r.stderr.split("\n")) if (/^(hint|warning|error): /.test(line)) out.push(line);
  return out;
}

function expectPasteable(r: CliResult): void {
  const fixes = printedFixes(r);
  expect(fixes.length).toBeGreaterThan(0);
  for (const fix of fixes) expect(fix).not.toMatch(PLACEHOLDER);
}

/** Runs the one miauth command in `fix` exactly as printed (split as a shell would), as the operator. */
async function runPrinted(fix: string | null | undefined): Promise<CliResult> {
  const [command, ...more] = miauthCommands(fix ?? "");
  expect(more).toEqual([]);
  const [bin, ...args] = shellWords(command ?? "");
  expect(bin).toBe("miauth");
  return operator(args);
}

describe("printed fixes", () => {
  it("the data plane's fix names the account with --storage-account, and works as printed", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const denied = await asApp(["--access", "readwrite"]);
    expect(denied.code).toBe(5);
    const report = json<Report>(denied);
    expect(report.fix).toBe(
      `miauth assign-role --assignee ${principalId} --role "Storage Blob Data Contributor" --storage-account ${ACCOUNT}`,
    );
    expectPasteable(denied);

    const fixed = await runPrinted(report.fix);
    expect(fixed.stderr).toBe("");
    expect(fixed.code).toBe(0);
    expect(json<{ result: string; scope: string }>(fixed)).toMatchObject({
      result: "created",
      scope: `${emu.current.rg()}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`,
    });
    const passed = await asApp(["--access", "readwrite"]);
    expect(passed.code).toBe(0);
    expect(json<Report>(passed).result).toBe("pass");
  });

  it("the control plane's fixes (enable, then assign) work as printed", async () => {
    const args = ["verify", "--webapp", "msdocs-web", "-g", RG, "--account", ACCOUNT, "--access", "read"];
    const noIdentity = await operator(args);
    expect(noIdentity.code).toBe(3);
    expectPasteable(noIdentity);
    const enabled = await runPrinted(json<Report>(noIdentity).fix);
    expect(enabled.code).toBe(0);

    const denied = await operator(args);
    expect(denied.code).toBe(5);
    expectPasteable(denied);
    const assigned = await runPrinted(json<Report>(denied).fix);
    expect(assigned.code).toBe(0);
    expect((await operator(args)).code).toBe(0);
  });

  it("assign-role's hints: enable the target first, the closest role names", async () => {
    const noIdentity = await operator([
      "assign-role",
      "--vm",
      "msdocs-vm",
      "-g",
      RG,
      "--role",
      "Storage Blob Data Reader",
      "--storage-account",
      ACCOUNT,
    ]);
    expect(noIdentity.code).toBe(3);
    expectPasteable(noIdentity);
    expect((await runPrinted(noIdentity.stderr.split("\n").find((l) => l.startsWith("hint: ")))).code).toBe(
      0,
    );

    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.clearLog();
    const typo = await operator([
      "assign-role",
      "--assignee",
      principalId,
      "--role",
      "Storage Blob Data Contributer",
      "--storage-account",
      ACCOUNT,
    ]);
    expect(typo.code).not.toBe(0);
    expect(await emu.current.writes()).toEqual([]);
    expectPasteable(typo);
    const search = await runPrinted(typo.stderr.split("\n").find((l) => l.startsWith("hint: ")));
    expect(search.code).toBe(0);
    expect(json<{ roleName: string }[]>(search).map((r) => r.roleName)).toContain(
      "Storage Blob Data Contributor",
    );
  });

  it("verify without a usable container, and without an identity on its host: no placeholder", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.assignRole(principalId, "Storage Blob Data Contributor");
    const gate = emu.current.handle.blob?.gateUrl ?? "";
    const empty = await asApp(["--access", "read"], {
      AZURE_STORAGE_ACCOUNT_NAME: EMPTY,
      AZURE_STORAGE_BLOB_ENDPOINT: `${gate}/${EMPTY}`,
    });
    expect(empty.code).toBe(1);
    expect(step(json<Report>(empty), "container")?.code).toBe("NoContainer");
    expectPasteable(empty);

    await emu.current.arm("PATCH", `${emu.current.siteId("msdocs-web")}?api-version=2025-05-01`, {
      identity: { type: "None" },
    });
    const none = await asApp();
    expect(none.code).toBe(4);
    expectPasteable(none);
  });
});
