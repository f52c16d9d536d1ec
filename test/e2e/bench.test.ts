// `npm run bench` in --quick mode, one run: the shape of what it writes, never its timings (performance
// figures come from the bench itself, on a quiet machine).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT, spawnText } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "miauth-bench-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMANDS = [
  "enable --webapp",
  "enable --vm",
  "roles list",
  'roles list --name "Storage Blob Data Reader"',
  "assign-role",
  "verify (data plane)",
  "verify (control plane)",
];

function bench(args: string[]) {
  return spawnText(process.execPath, ["scripts/bench.mjs", ...args], { cwd: ROOT });
}

it("measures every command against its floor and writes bench/results.json's shape", async () => {
  const out = join(dir, "results.json");
  const r = await bench(["--quick", "--runs", "1", "--skip-build", "--out", out]);
  expect(r.stderr).not.toMatch(/network guard blocked/);
  expect(r.code, r.stderr).toBe(0);
  const res = JSON.parse(readFileSync(out, "utf8"));

  expect(res.runs).toBe(1);
  expect(res.quick).toBe(true);
  expect(res.node.version).toBe(process.versions.node);
  expect(res.blocked).toEqual([]);
  expect(res.startup.map((s: { name: string }) => s.name)).toEqual([
    "node -e 0",
    "--version",
    "--help",
    "roles list --help",
  ]);

  // Each command, first run and re-run, bare and with 50 ms latency: one sample each, and its floor.
  const got = res.commands.map((c: { name: string; phase: string; latencyMs: number }) => [
    c.name,
    c.phase,
    c.latencyMs,
  ]);
  const want = [0, 50].flatMap((ms) =>
    COMMANDS.flatMap((name) => [
      [name, "first", ms],
      [name, "re-run", ms],
    ]),
  );
  expect(got).toEqual(want);
  for (const c of res.commands) {
    expect(c.samples).toHaveLength(1);
    expect(c.floorSamples).toHaveLength(1);
    expect(c.medianMs).toBeGreaterThan(0);
    expect(c.ratio).toBeCloseTo(c.medianMs / c.floorMs, 6);
    expect(c.pass).toBe(c.ratio <= c.target);
  }

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

  expect(res.waits.lro.overheadMs).toEqual(expect.any(Number));
  expect(res.waits.lro.samples[0].polls).toBeGreaterThanOrEqual(1);
  expect(res.waits.wait3s.delayMs).toEqual(expect.any(Number));
  expect(res.waits.wait60s).toBeNull();
  expect(res.bulk.bulk.assignments).toBe(res.bulk.assignees);
  expect(res.bulk.oneAtATime.assignments).toBe(res.bulk.assignees);
  expect(res.bulk.bulk.throttled).toBeGreaterThan(0);

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
  expect(res.rows.length).toBeGreaterThan(res.commands.length);
}, 600_000);
