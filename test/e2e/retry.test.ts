// Retries, throttling and deadlines end to end: every wait is bounded and announced, a transient token
// endpoint failure is not a sign-in problem, and no hung endpoint holds a command past --timeout.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const emu = useEmulator();

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

const show = ["show", "--webapp", "msdocs-web", "-g", RG];
const SITE = /\/sites\/msdocs-web$/;

async function logged(kind: "arm" | "identity", path: RegExp) {
  return (await emu.current.requests()).filter((q) => q.kind === kind && path.test(q.path));
}

describe("throttling", () => {
  it("retries a 429 without Retry-After with backoff, and says so", async () => {
    await emu.current.fault(
      { method: "GET", path: "sites/msdocs-web" },
      { type: "status", status: 429, retryAfter: null },
      1,
    );
    const r = await cli(show);
    expect(r.code).toBe(0);
    expect(json(r).resourceId).toMatch(SITE);
    expect(r.stderr).toMatch(
      /^warning: ARM answered 429 to GET \S+ \(attempt 1\); retrying in 1s \(no Retry-After: backoff\)$/m,
    );
    expect((await logged("arm", SITE)).map((q) => q.status)).toEqual([429, 200]);
  });

  it("a Retry-After past the deadline: exit 6 at once, not an hour's wait", async () => {
    await emu.current.fault(
      { method: "GET", path: "sites/msdocs-web" },
      { type: "status", status: 429, retryAfter: 3600 },
      1,
    );
    const started = Date.now();
    const r = await cli([...show, "--timeout", "20s"]);
    expect(r.code).toBe(6);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).toMatch(
      /^error: ARM answered 429 to GET \S+ \(attempt 1\): it asks to wait 3600s, past the command's deadline/m,
    );
    expect((await logged("arm", SITE)).map((q) => q.status)).toEqual([429]);
  });
});

describe("the token endpoint", () => {
  it("a 503 that lasts: exit 1, 'the managed identity endpoint is unavailable', retries bounded and announced", async () => {
    await emu.current.fault({ kind: "identity" }, { type: "status", status: 503 }, 10);
    const started = Date.now();
    const r = await cli(show);
    expect(r.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/^error: the managed identity endpoint is unavailable \(status 503/m);
    expect(r.stderr).not.toMatch(/authentication failed|az login/);
    expect(
      r.stderr.match(/^warning: the managed identity endpoint is unavailable .*retrying in/gm),
    ).toHaveLength(2);
    expect((await logged("identity", /./)).map((q) => q.status)).toEqual([503, 503, 503]);
    expect(await emu.current.armRequests()).toEqual([]);
  });

  it("a 503 that passes: retried once, then the command succeeds", async () => {
    await emu.current.fault({ kind: "identity" }, { type: "status", status: 503 }, 1);
    const r = await cli(show);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^warning: the managed identity endpoint is unavailable \(status 503.*retrying in 1s/m,
    );
  });

  it("connection resets are transient too", async () => {
    await emu.current.fault({ kind: "identity" }, { type: "reset" }, 10);
    const r = await cli(show);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the managed identity endpoint is unavailable \(no connection\)/m);
    expect(r.stderr).not.toMatch(/az login/);
  });
});

describe("verify and the token endpoint", () => {
  it("a 503 that lasts fails verify's credential step as transient (exit 1), not as no credential (exit 4)", async () => {
    await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const env = emu.current.handle.envFor(emu.current.siteId("msdocs-web"));
    await emu.current.fault({ kind: "identity" }, { type: "status", status: 503 }, 10);
    const r = await runCli(["verify"], { env });
    expect(r.code).toBe(1);
    const report = json<{ steps: { name: string; status: string; code: string; message: string }[] }>(r);
    expect(report.steps[0]).toMatchObject({
      name: "credential",
      status: "fail",
      code: "TokenEndpointUnavailable",
    });
    expect(report.steps[0]?.message).toMatch(/^the managed identity endpoint is unavailable \(status 503/);
    expect(r.stderr).toMatch(/retrying in 1s/);
  });
});
