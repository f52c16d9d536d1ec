// No hung endpoint (ARM or the token endpoint) holds a command past --timeout: exit 6 and one line.
// Split from retry.test.ts to run beside it.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const emu = useEmulator();

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

const show = ["show", "--webapp", "msdocs-web", "-g", RG];

/**
 * How long a run held by a hung endpoint may take: the same command unhung (process start, loading,
 * its requests: measured now, so a slow or busy host moves the bound with it), plus the 2 s deadline,
 * plus 0.7 s. A run that returned at the deadline but left its request open would end only at the
 * fallback exit 1 s after it, past this bound.
 */
async function boundFor(args: string[]): Promise<number> {
  const started = Date.now();
  const r = await cli([...args, "--timeout", "2s"]);
  expect(r.code, r.stderr).toBe(0);
  return Date.now() - started + 2_000 + 700;
}
const _SITE = /\/sites\/msdocs-web$/;

async function _logged(kind: "arm" | "identity", path: RegExp) {
  return (await emu.current.requests()).filter((q) => q.kind === kind && path.test(q.path));
}

describe("deadlines", () => {
  it("a hung token endpoint ends at --timeout with exit 6 and one line", async () => {
    const bound = await boundFor(show);
    await emu.current.fault({ kind: "identity" }, { type: "latency", ms: 30_000 }, 5);
    const started = Date.now();
    const r = await cli([...show, "--timeout", "2s"]);
    expect(r.code).toBe(6);
    // Aborted at the deadline, not ended by the fallback exit that follows it.
    expect(Date.now() - started).toBeLessThan(bound);
    expect(r.stderr.match(/^error: /gm)).toEqual(["error: "]);
    expect(r.stderr).toMatch(/^error: timed out after 2s \(--timeout\)/m);
  });

  // Each request is aborted at the deadline: the run ends well before the fallback exit that follows it.
  it.each([
    ["show", show],
    ["roles list", ["roles", "list", "--name", "Reader"]],
    ["enable", ["enable", "--webapp", "msdocs-web", "-g", RG]],
    ["assign-role", ["assign-role", "--webapp", "msdocs-web", "-g", RG, "--role", "Reader", "--scope", "RG"]],
  ] as const)("a hung ARM ends %s at --timeout with exit 6", async (_, given) => {
    const args = given.map((a) => (a === "RG" ? emu.current.rg() : a));
    // The unhung run first, with the app's identity on so that each command runs through (enable finds
    // it unchanged, assign-role writes; the hung run is held at its first read either way).
    await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const bound = await boundFor(args);
    await emu.current.fault({ kind: "arm" }, { type: "latency", ms: 30_000 }, 5);
    const started = Date.now();
    const r = await cli([...args, "--timeout", "2s"]);
    expect(r.code).toBe(6);
    expect(Date.now() - started).toBeLessThan(bound);
    expect(r.stderr).toMatch(/^error: timed out after 2s \(--timeout\)/m);
  });

  it("a hung role-assignment list is aborted at --timeout, not left to the fallback exit", async () => {
    expect((await cli(["enable", "--webapp", "msdocs-web", "-g", RG])).code).toBe(0);
    await emu.current.fault({ method: "GET", path: "roleAssignments" }, { type: "latency", ms: 30_000 }, 5);
    const started = Date.now();
    const r = await cli([
      "assign-role",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--role",
      "Reader",
      "--timeout",
      "3s",
    ]);
    expect(r.code).toBe(6);
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(r.stderr).toMatch(/^error: timed out after 3s \(--timeout\)/m);
    expect(await emu.current.writes()).toHaveLength(1);
  });

  it("--debug traces token requests too, never the identity header or the token", async () => {
    const ok = await cli([...show, "--debug"]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/^> GET https:\/\/127\.0\.0\.1:\d+\/\S*token\S*resource=REDACTED/m);
    expect(ok.stderr).toMatch(/^< 200 GET \/\S*token/m);
    const header = emu.current.env.IDENTITY_HEADER ?? "";
    expect(header).not.toBe("");
    expect(ok.stderr).not.toContain(header);
    expect(ok.stderr).not.toMatch(/access_token|eyJ/);

    // A hung token endpoint: the request line shows, and no reply line for it.
    const held = await emu.current.hold({ kind: "identity" });
    const hung = await cli([...show, "--debug", "--timeout", "2s"]);
    await held.release();
    expect(hung.code).toBe(6);
    expect(hung.stderr).toMatch(/^> GET \S*token\S*resource=REDACTED/m);
    expect(hung.stderr).not.toMatch(/^< 200 /m);
  });
});
