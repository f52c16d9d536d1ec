// Retries, throttling and deadlines end to end: every wait is bounded and announced, a transient token
// endpoint failure is not a sign-in problem, and nothing hangs past --timeout.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const emu = useEmulator();

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

const show = ["show", "--webapp", "msdocs-web", "-g", RG];

async function statuses(path: RegExp, kind = "arm") {
  return (await emu.current.requests())
    .filter((q) => q.kind === kind && path.test(q.path))
    .map((q) => q.status);
}

describe("throttling", () => {
  it("caps a huge Retry-After at 60s per wait, and gives up at once when the deadline is nearer", async () => {
    await emu.current.fault(
      { method: "GET", path: "sites/msdocs-web" },
      { type: "status", status: 429, retryAfter: 3600 },
      1,
    );
    const started = Date.now();
    const r = await cli([...show, "--timeout", "20s"]);
    console.log(r.code, r.stderr, Date.now() - started);
    expect(r.code).toBe(6);
  });
});

describe("the token endpoint", () => {
  it("a 503 from the managed identity endpoint is a transient failure, retried a bounded number of times, announced", async () => {
    await emu.current.fault({ kind: "identity" }, { type: "status", status: 503 }, 10);
    const started = Date.now();
    const r = await cli(show);
    console.log(r.code, r.stderr, Date.now() - started, await statuses(/token/, "identity"));
    expect(r.code).toBe(1);
  });
  it("a reset", async () => {
    await emu.current.fault({ kind: "identity" }, { type: "reset" }, 10);
    const started = Date.now();
    const r = await cli(show);
    console.log(r.code, r.stderr, Date.now() - started, await emu.current.requests());
    expect(r.code).toBe(1);
  });
  it("a hung token endpoint", async () => {
    await emu.current.fault({ kind: "identity" }, { type: "latency", ms: 20000 }, 10);
    const started = Date.now();
    const r = await cli([...show, "--timeout", "2s"]);
    console.log(r.code, r.stderr, Date.now() - started);
    expect(r.code).toBe(6);
  });
  it("a hung ARM", async () => {
    await emu.current.fault({ kind: "arm" }, { type: "latency", ms: 20000 }, 10);
    const started = Date.now();
    const r = await cli([...show, "--timeout", "2s"]);
    console.log(r.code, r.stderr, Date.now() - started);
    expect(r.code).toBe(6);
  });
});
