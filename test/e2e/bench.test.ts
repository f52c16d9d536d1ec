// `npm run bench` in --quick mode, one run, the parts that time commands: the shape of what it writes,
// never its timings (performance figures come from the bench itself, on a quiet machine). The waits and
// bulk parts are test/e2e/bench-waits.test.ts, so the two run side by side.
import { expect, it } from "vitest";
import { benchQuick } from "../helpers/bench.js";

const COMMANDS = [
  "enable --webapp",
  "enable --vm",
  "roles list",
  'roles list --name "Storage Blob Data Reader"',
  "assign-role",
  "verify (data plane)",
  "verify (control plane)",
];

it("measures every command against its floor and writes bench/results.json's shape", async () => {
  const { r, res } = await benchQuick(["startup", "commands", "sdk", "latency", "rss", "install"]);

  expect(res.runs).toBe(1);
  expect(res.quick).toBe(true);
  expect(res.warmups).toBe(0);
  expect(res.node.version).toBe(process.versions.node);
  expect(res.blocked).toEqual([]);
  expect(res.startup.map((s: { name: string }) => s.name)).toEqual([
    "node -e 0",
    "--version",
    "--help",
    "roles list --help",
  ]);

  // Each command, first run and re-run, bare; with 50 ms latency only the first command (--quick).
  // One sample each, and its floor.
  const got = res.commands.map((c: { name: string; phase: string; latencyMs: number }) => [
    c.name,
    c.phase,
    c.latencyMs,
  ]);
  const want = [
    ...COMMANDS.flatMap((name) => [
      [name, "first", 0],
      [name, "re-run", 0],
    ]),
    ["enable --webapp", "first", 50],
    ["enable --webapp", "re-run", 50],
  ];
  expect(got).toEqual(want);
  for (const c of res.commands) {
    expect(c.samples).toHaveLength(1);
    expect(c.floorSamples).toHaveLength(1);
    expect(c.medianMs).toBeGreaterThan(0);
    expect(c.ratio).toBeCloseTo(c.medianMs / c.floorMs, 6);
    expect(c.pass).toBe(c.ratio <= c.target);
  }

  // The Azure SDKs alone (bench/sdk-floor.mjs) made the same requests as miauth (the bench checks it),
  // timed in the same runs as miauth and the wire floor.
  expect(res.sdk.map((s: { name: string }) => s.name)).toEqual([
    "enable --webapp (re-run)",
    "verify (control plane)",
  ]);
  for (const s of res.sdk) {
    expect(s.samples).toHaveLength(1);
    expect(s.sdkMs).toBeGreaterThan(0);
    expect(s.sdkRatio).toBeCloseTo(s.sdkMs / s.floorMs, 6);
    expect(s.overSdk).toBeCloseTo(s.medianMs / s.sdkMs, 6);
  }
  expect(r.stdout).toMatch(/^\| verify \(control plane\): miauth over the SDKs alone +\|/m);

  // Counts from the request log: every command asks for a token; re-runs write nothing.
  expect(res.counts.map((c: { command: string; phase: string }) => `${c.command}/${c.phase}`)).toEqual(
    COMMANDS.flatMap((name) => [`${name}/first`, `${name}/re-run`]),
  );
  for (const c of res.counts) {
    expect(c.token).toBeGreaterThanOrEqual(1);
    expect(c.requests).toHaveLength(c.arm + c.token + c.blob);
    if (c.phase === "re-run")
      expect(c.requests.filter((q: string) => / (PUT|PATCH|DELETE) /.test(q))).toEqual([]);
  }
  const first = (name: string) => res.counts.find((c: { command: string }) => c.command === name);
  expect(first("enable --webapp").requests.some((q: string) => q.startsWith("arm PATCH "))).toBe(true);
  expect(first("verify (data plane)").blob).toBeGreaterThan(0);

  expect(res.rss.method).not.toBe("");
  expect(res.rss.commands.map((c: { name: string }) => c.name)).toEqual(COMMANDS);
  for (const c of res.rss.commands) expect(c.mb).toBeGreaterThan(res.rss.baseMb / 2);

  expect(res.install.tarball.bytes).toBeGreaterThan(0);
  expect(res.install.tarball.files).toBeGreaterThan(0);
  // Installed offline, or (when npm's cache cannot) an estimate from the dependency closure instead.
  expect(res.install.installed ?? res.install.estimate).toMatchObject({ bytes: expect.any(Number) });

  // The table: a row per measurement, a pass/fail where a target applies.
  expect(r.stdout).toMatch(/^\| what +\| median +\| floor +\| ratio +\| target +\| pass\/fail \|$/m);
  expect(r.stdout).toMatch(/^\| enable --webapp \(re-run\) \+50 ms +\|/m);
  expect(r.stdout).toMatch(/medians of 1 run\(s\) \(no warm-up: --quick\)/);
  expect(res.rows.length).toBeGreaterThan(res.commands.length);
}, 600_000);
