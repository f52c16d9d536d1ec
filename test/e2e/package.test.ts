// The package as npm installs it: `npm pack`, then `npm install` of the tarball into an empty project
// with the registry pointed at a closed loopback port, so any download would fail the install. The
// installed CLI then runs from node_modules with nothing but its own files: every library is bundled.
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseEnv, ROOT } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const run = promisify(execFile);
const emu = useEmulator({ blob: false });
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
// Nothing listens on the discard port: a request to this "registry" is refused at once.
const NO_REGISTRY = "http://127.0.0.1:9/";

let work = "";
let project = "";
let packed: { files: { path: string }[] } = { files: [] };
let tarball = "";
let npmEnv: NodeJS.ProcessEnv = {};

function sizeOf(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    files++;
  }
  return { bytes, files };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "miauth-pack-"));
  npmEnv = {
    ...process.env,
    npm_config_cache: join(work, "cache"),
    npm_config_update_notifier: "false",
  };
  // dist/ is built before the tests (npm test); --ignore-scripts: no second build here.
  const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], {
    cwd: ROOT,
    env: npmEnv,
  });
  packed = (JSON.parse(stdout) as (typeof packed & { filename: string })[])[0] ?? packed;
  tarball = join(work, (packed as typeof packed & { filename: string }).filename);
  project = join(work, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), '{ "name": "uses-miauth", "private": true }\n');
  await run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--registry", NO_REGISTRY, tarball],
    { cwd: project, env: npmEnv },
  );
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("ships bin, dist, README.md and package.json only", () => {
    const tops = new Set(packed.files.map((f) => f.path.split("/")[0]));
    expect([...tops].sort()).toEqual(["README.md", "bin", "dist", "package.json"]);
    expect(packed.files.some((f) => f.path === "dist/emulator/index.js")).toBe(true);
  });

  it("installs with no dependency: node_modules holds miauth alone, under 15 MB", () => {
    const modules = readdirSync(join(project, "node_modules")).filter((n) => !n.startsWith("."));
    expect(modules).toEqual(["miauth"]);
    expect(sizeOf(join(project, "node_modules")).bytes).toBeLessThan(15 * 1024 * 1024);
  });

  it("runs from node_modules/.bin: --version, and enable against the emulator", async () => {
    const bin = join(project, "node_modules/.bin/miauth");
    const env = { ...baseEnv(), ...emu.current.env };
    const version = await run(bin, ["--version"], { cwd: project, env });
    expect(version.stdout).toBe(`${VERSION}\n`);
    // The rest on the Node running the tests (the shebang's `node` is the one on PATH).
    const enabled = await run(
      process.execPath,
      [bin, "enable", "--webapp", "msdocs-web", "-g", RG, "--query", "result", "-o", "tsv"],
      {
        cwd: project,
        env,
      },
    );
    expect(enabled.stdout).toBe("updated\n");
  });

  it("installs globally, as the README's Getting started does (npm pack && npm i -g ./miauth-*.tgz)", async () => {
    const prefix = join(work, "global");
    await run(
      "npm",
      [
        "install",
        "-g",
        "--prefix",
        prefix,
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--registry",
        NO_REGISTRY,
        tarball,
      ],
      { cwd: work, env: npmEnv },
    );
    const bin = join(prefix, "bin/miauth");
    const version = await run(process.execPath, [bin, "version", "--query", "miauth", "-o", "tsv"], {
      cwd: work,
      env: baseEnv(),
    });
    expect(version.stdout).toBe(`${VERSION}\n`);
  });

  it("starts its own emulator (certificates made by the bundled node-forge) without Azurite", async () => {
    const bin = join(project, "node_modules/.bin/miauth");
    const dir = join(work, "emulator");
    const child = spawn(process.execPath, [bin, "emulator", "start", "--dir", dir, "--port", "0"], {
      cwd: project,
      env: baseEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      child.stdout.on("data", () => {
        if (/ready at https:\/\/127\.0\.0\.1:\d+/.test(out)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.on("close", () => resolve(false));
    });
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.kill("SIGTERM");
    expect(ready, out).toBe(true);
    expect(await closed).toBe(0);
    expect(readFileSync(join(dir, "ca.pem"), "utf8")).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
