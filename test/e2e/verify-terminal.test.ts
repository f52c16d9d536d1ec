// verify as a person sees it on a terminal (the summary once, no JSON) and as a script sees it through
// a pipe (the JSON report), and one vocabulary of step names in both planes.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { ACCOUNT, type Report, RG } from "../helpers/verify.js";

const emu = useEmulator({ dataPlaneDelayMs: 0, replicationDelayMs: 0 });

const CONTROL = ["verify", "--webapp", "msdocs-web", "-g", RG, "--account", ACCOUNT, "--access", "readwrite"];
const COLUMNS = 72;

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe("verify on a terminal and through a pipe", () => {
  it("on a terminal: the summary once on stderr, each cause and fix once, nothing on stdout, lines within the columns", async () => {
    await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const r = await runCli(CONTROL, { env: emu.current.env, terminal: { columns: COLUMNS } });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("");
    // Five steps fail for one reason: the reason and its fix are printed once, with no hint repeating it.
    expect(count(r.stderr, "the identity has no Azure RBAC data role")).toBe(1);
    expect(count(r.stderr, '--role "Storage Blob Data Contributor"')).toBe(1);
    expect(r.stderr).toMatch(/^fix: +miauth assign-role --webapp msdocs-web /m);
    expect(r.stderr).not.toMatch(/^hint:/m);
    expect(r.stderr).toMatch(/^error: verify failed: list-containers \(AuthorizationPermissionMismatch\)$/m);
    expect(r.stderr).toMatch(/^result: FAIL$/m);
    // Every line fits, except the fix: a command to paste is never broken.
    const long = r.stderr.split("\n").filter((l) => [...l].length > COLUMNS);
    expect(long).toHaveLength(1);
    expect(long[0]).toMatch(/^fix: +miauth assign-role /);
    // A step's text wraps under itself, and the step names line up in one column.
    const stepLines = r.stderr.split("\n").filter((l) => /^ {2}(ok|FAIL|warn|skip) /.test(l));
    expect(stepLines.map((l) => l.slice(8, 24).trim())).toEqual([
      "identity",
      "network",
      "list-containers",
      "list-blobs",
      "write-probe",
      "read-probe",
      "delete-probe",
    ]);
  });

  it("through a pipe: the JSON report on stdout, the same summary on stderr; -o json on a terminal prints it too", async () => {
    await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const piped = await runCli(CONTROL, { env: emu.current.env });
    expect(piped.code).toBe(5);
    expect(json<Report>(piped).steps.filter((s) => s.status === "fail")).toHaveLength(5);
    expect(count(piped.stderr, "the identity has no Azure RBAC data role")).toBe(1);
    expect(piped.stderr).not.toMatch(/^hint:/m);
    // Not wrapped without a terminal: each step is one line.
    expect(piped.stderr).toMatch(
      /^ {2}FAIL {2}write-probe {6}AuthorizationPermissionMismatch: no role grants \S+\/blobs\/write \(\d+ ms\)$/m,
    );

    const asked = await runCli([...CONTROL, "-o", "json"], {
      env: emu.current.env,
      terminal: { columns: COLUMNS },
    });
    expect(asked.code).toBe(5);
    expect(json<Report>(asked).result).toBe("fail");
    const queried = await runCli([...CONTROL, "--query", "result", "-o", "tsv"], {
      env: emu.current.env,
      terminal: { columns: COLUMNS },
    });
    expect(queried.stdout).toBe("fail\n");
    const configured = await runCli(CONTROL, {
      env: { ...emu.current.env, MIAUTH_OUTPUT: "json" },
      terminal: { columns: COLUMNS },
    });
    expect(json<Report>(configured).mode).toBe("control-plane");
  });

  it("as an app without an identity, on a terminal: the fix once, the exit code unchanged", async () => {
    const app = emu.current.handle.envFor(emu.current.siteId("msdocs-web"));
    const r = await runCli(["verify"], { env: app, terminal: { columns: COLUMNS } });
    const piped = await runCli(["verify"], { env: app });
    expect([r.code, piped.code]).toEqual([4, 4]);
    expect(r.stdout).toBe("");
    expect(json<Report>(piped).steps[0]).toMatchObject({ name: "credential", code: "NoManagedIdentity" });
    for (const out of [r.stderr, piped.stderr]) {
      expect(count(out, `miauth enable --webapp msdocs-web -g ${RG}`)).toBe(1);
      // The cause may be wrapped on the terminal: read it as one paragraph.
      expect(count(out.replace(/\n +/g, " "), "has no managed identity, so there is no token to get")).toBe(
        1,
      );
      expect(out).toMatch(/^error: verify failed: credential \(NoManagedIdentity\)$/m);
    }
  });

  it("a pass on a terminal: the summary alone, exit 0", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.assignRole(principalId, "Storage Blob Data Reader");
    const r = await runCli(CONTROL.slice(0, -2), { env: emu.current.env, terminal: { columns: COLUMNS } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^ {2}ok {4}list-blobs +\S/m);
    expect(r.stderr).toMatch(/^result: PASS$/m);
  });
});

describe("one vocabulary of step names", () => {
  it("the data plane (as the app) and the control plane (for it) report the same steps for each access level", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.assignRole(principalId, "Storage Blob Data Contributor");
    const app = emu.current.handle.envFor(emu.current.siteId("msdocs-web"));
    // Each plane's own first steps (getting a token; reading the identity and the network rules) differ.
    const own = new Set(["credential", "identity", "network"]);
    for (const access of ["read", "write", "readwrite"]) {
      const data = await runCli(["verify", "--access", access], { env: app });
      const control = await runCli(
        ["verify", "--webapp", "msdocs-web", "-g", RG, "--account", ACCOUNT, "--access", access],
        { env: emu.current.env },
      );
      expect([data.code, control.code]).toEqual([0, 0]);
      const names = (r: typeof data) =>
        json<Report>(r)
          .steps.filter((s) => s.status === "pass" && !own.has(s.name))
          .map((s) => s.name);
      expect(names(control)).toEqual(names(data));
    }
  });
});
