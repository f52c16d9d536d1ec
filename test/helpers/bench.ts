// Runs `npm run bench` (scripts/bench.mjs) in --quick mode, one run, for the given parts, into a scratch
// results file; fails on a non-zero exit or anything the network guard blocked. Resolves with the run's
// output and the results file, parsed.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { ROOT, spawnText } from "./cli.js";

export async function benchQuick(parts: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "miauth-bench-test-"));
  try {
    const out = join(dir, "results.json");
    const r = await spawnText(
      process.execPath,
      [
        "scripts/bench.mjs",
        "--quick",
        "--runs",
        "1",
        "--skip-build",
        "--only",
        parts.join(","),
        "--out",
        out,
      ],
      { cwd: ROOT },
    );
    expect(r.stderr).not.toMatch(/network guard blocked/);
    expect(r.code, r.stderr).toBe(0);
    return { r, res: JSON.parse(readFileSync(out, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
