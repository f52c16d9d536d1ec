// Start-up: which code each kind of run loads (lazy command registration, one chunk per definition and
// per action), and the module compile cache on Node >= 22.1. What a run loads is read from the loader:
// test/helpers/record-loads.mjs logs every module file; each dist/ chunk's source map names the
// sources (ours and the packages') bundled into it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { baseEnv, ROOT, runCli } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const RECORDER = pathToFileURL(join(ROOT, "test/helpers/record-loads.mjs")).href;
const DIST = pathToFileURL(join(ROOT, "dist/")).href;
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

const emu = useEmulator({ blob: false });
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

interface Loaded {
  code: number | null;
  /** The files of dist/ the run loaded. */
  files: number;
  stdout: string;
  /** Our source files bundled into the chunks the run loaded, as "src/…". */
  sources: Set<string>;
  /** The npm packages bundled into those chunks. */
  packages: Set<string>;
  /** The packages' files bundled into those chunks, as "@azure/arm-compute/src/…" (as their maps name them). */
  packageFiles: Set<string>;
  /** Node's own modules the process loaded, e.g. "internal/deps/undici/undici". */
  builtins: Set<string>;
}

/** What a run loads; `terminal`: with stdout a terminal of that many columns (help is commander's there). */
async function loadsOf(args: string[], env: Record<string, string> = {}, terminal?: number): Promise<Loaded> {
  const log = join(tempDir("miauth-loads-"), "loads.log");
  const r = await runCli(args, {
    env: {
      ...env,
      MIAUTH_TEST_LOADS: log,
      NODE_OPTIONS: `${baseEnv().NODE_OPTIONS} --import ${RECORDER}`,
    },
    ...(terminal === undefined ? {} : { terminal: { columns: terminal } }),
  });
  const urls = readFileSync(log, "utf8").split("\n");
  // The recorder saw the run (the bin at least), so an empty list of chunks means none were loaded.
  expect(urls.some((url) => url.endsWith("/bin/miauth.js"))).toBe(true);
  const chunks = urls.filter((url) => url.startsWith(DIST));
  const sources = new Set<string>();
  const packages = new Set<string>();
  const packageFiles = new Set<string>();
  for (const chunk of chunks) {
    const map = JSON.parse(readFileSync(new URL(`${chunk}.map`), "utf8")) as { sources: string[] };
    for (const source of map.sources) {
      const pkg = [...source.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].at(-1)?.[1];
      if (pkg) {
        packages.add(pkg);
        packageFiles.add(source.slice(source.lastIndexOf(`node_modules/${pkg}/`) + "node_modules/".length));
      } else sources.add(source.replace(/^.*?\bsrc\//, "src/"));
    }
  }
  const builtins = new Set(urls.filter((u) => u.startsWith("builtin:")).map((u) => u.slice(8)));
  expect(builtins.has("fs")).toBe(true);
  return { code: r.code, stdout: r.stdout, files: chunks.length, sources, packages, packageFiles, builtins };
}

const DEFINITIONS = [
  "enable",
  "disable",
  "show",
  "roles",
  "identity",
  "assign-role",
  "unassign-role",
  "verify",
  "setup",
  "doctor",
  "emulator",
  "completion",
  "version",
].map((c) => `src/commands/${c}.ts`);
// What a command's definition may use: commander, the shared flag helpers and argument parsing.
const DEFINITION_CODE = new Set([
  "src/cli.ts",
  "src/errors.ts",
  "src/version.ts",
  "src/output/io.ts",
  "src/commands/shared.ts",
  "src/commands/timeout.ts",
  "src/commands/change-options.ts",
  "src/commands/role-flags.ts",
  "src/commands/global-options.ts",
  "src/help.ts",
  "src/output/formats.ts",
  "src/azure/clouds.ts",
  "src/azure/ids.ts",
  "src/azure/target.ts",
  "src/azure/scope.ts",
  "src/azure/principal-types.ts",
  "src/commands/identity-federate.ts",
  ...DEFINITIONS,
]);

function outsideDefinitions(loaded: Loaded): string[] {
  return [...loaded.sources].filter((s) => !DEFINITION_CODE.has(s));
}

describe("lazy loading", () => {
  it.each([["--version"], ["-v"]])("%s alone loads nothing of the bundle", async (flag) => {
    const loaded = await loadsOf([flag]);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toBe(`${VERSION}\n`);
    expect([...loaded.packages]).toEqual([]);
    expect([...loaded.sources]).toEqual([]);
  });

  it("--version with another flag goes through commander, and prints the same", async () => {
    const loaded = await loadsOf(["--version", "--output", "json"]);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toBe(`${VERSION}\n`);
    expect([...loaded.packages].sort()).toEqual(["chalk", "commander"]);
    expect(outsideDefinitions(loaded)).toEqual([]);
    expect(DEFINITIONS.filter((d) => loaded.sources.has(d))).toEqual([]);
  });

  it.each([[["--version", "--verbose"]], [["version", "-o", "json"]]])(
    "%j loads the version command and no Azure SDK (their versions are built in)",
    async (args) => {
      const loaded = await loadsOf(args);
      expect(loaded.code).toBe(0);
      expect(JSON.parse(loaded.stdout)).toMatchObject({ miauth: VERSION });
      expect([...loaded.packages].filter((p) => p.startsWith("@azure/"))).toEqual([]);
      expect(DEFINITIONS.filter((d) => loaded.sources.has(d))).toEqual(["src/commands/version.ts"]);
    },
  );

  it("completion loads every command's definition and the script maker, no action code, no Azure SDK", async () => {
    const loaded = await loadsOf(["completion", "bash"]);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(/^complete -F _miauth miauth$/m);
    expect([...loaded.packages].sort()).toEqual(["chalk", "commander"]);
    expect(DEFINITIONS.filter((d) => !loaded.sources.has(d))).toEqual([]);
    expect(outsideDefinitions(loaded)).toEqual(["src/commands/completion-scripts.ts"]);
  });

  it("--help on a terminal loads every command's definition and no action code, no Azure SDK", async () => {
    const loaded = await loadsOf(["--help"], {}, 100);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(/^Commands:$/m);
    expect([...loaded.packages].sort()).toEqual(["chalk", "commander"]);
    expect(DEFINITIONS.filter((d) => !loaded.sources.has(d))).toEqual([]);
    expect(outsideDefinitions(loaded)).toEqual([]);
  });

  it.each([
    [["enable", "--help"], "enable"],
    [["--output", "json", "roles", "list", "--help"], "roles"],
    [["verify", "--help"], "verify"],
    [["assign-role", "--help"], "assign-role"],
  ])("%j on a terminal loads only that command's definition", async (args, command) => {
    const loaded = await loadsOf(args, {}, 100);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(/^Usage: miauth /);
    expect(DEFINITIONS.filter((d) => loaded.sources.has(d))).toEqual([`src/commands/${command}.ts`]);
    expect(outsideDefinitions(loaded)).toEqual([]);
    expect([...loaded.packages].sort()).toEqual(["chalk", "commander"]);
  });

  it("enable --webapp loads the App Service SDK and identity, no compute, authorization, storage or blob", async () => {
    const loaded = await loadsOf(["enable", "--webapp", "msdocs-web", "-g", RG], emu.current.env);
    expect(loaded.code).toBe(0);
    expect(loaded.packages).toContain("@azure/arm-appservice");
    expect(loaded.packages).toContain("@azure/identity");
    const unwanted = [
      "@azure/arm-compute",
      "@azure/arm-appcontainers",
      "@azure/arm-authorization",
      "@azure/arm-storage",
      "@azure/storage-blob",
      "yaml",
      "node-forge",
    ];
    expect(unwanted.filter((p) => loaded.packages.has(p))).toEqual([]);
    expect([...loaded.sources].filter((s) => s.startsWith("src/emulator/"))).toEqual([]);
    expect(DEFINITIONS.filter((d) => loaded.sources.has(d))).toEqual(["src/commands/enable.ts"]);
  });

  // ComputeManagementClient builds every operation group of the package (~590 KB bundled); a VM command
  // needs two operations of one (src/azure/virtual-machines.ts, ~65 KB).
  it("enable --vm loads the compute SDK's virtual machine operations, not its whole client", async () => {
    const loaded = await loadsOf(["enable", "--vm", "msdocs-vm", "-g", RG, "--dry-run"], emu.current.env);
    expect(loaded.code).toBe(0);
    const compute = [...loaded.packageFiles].filter((f) => f.startsWith("@azure/arm-compute/"));
    // The package's own source maps name its TypeScript (src/…) rather than dist/esm/….
    expect(compute.filter((f) => /\/api\/virtualMachines\/operations\.[jt]s$/.test(f))).toHaveLength(1);
    const others = compute.filter(
      (f) =>
        f.includes("/classic/") ||
        /\/computeManagementClient\.[jt]s$/.test(f) ||
        /\/api\/(?!virtualMachines\/|index\.|computeManagementContext\.)/.test(f),
    );
    expect(others).toEqual([]);
  });

  // Node's fetch (undici) is loaded by the first read of any of its globals, FormData included, which the
  // SDKs' HTTP pipeline made for every request (~20 ms); scripts/startup-patches.mjs defers that read.
  it.each([
    [["enable", "--webapp", "msdocs-web", "-g", RG]],
    [["roles", "list", "--name", "Reader"]],
    [["assign-role", "--assignee", "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5", "-g", RG, "--role", "Reader"]],
    [["show", "--webapp", "msdocs-web", "-g", RG]],
  ])("%j sends its requests without loading Node's fetch (undici)", async (args) => {
    const loaded = await loadsOf(args, emu.current.env);
    expect(loaded.code).toBe(0);
    expect(loaded.builtins.has("https")).toBe(true);
    expect([...loaded.builtins].filter((b) => b.includes("undici"))).toEqual([]);
  });

  // Each file Node loads costs its loader ~0.3-0.5 ms: the action code is one chunk behind one import
  // (src/commands/actions.ts), the definitions' helpers one chunk with commander (definition-kit.ts).
  // Before that, enable --webapp loaded 42 files and verify 54.
  it.each([
    [["enable", "--webapp", "msdocs-web", "-g", RG], 18],
    [["roles", "list", "--name", "Reader"], 16],
    [["assign-role", "--assignee", "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5", "-g", RG, "--role", "Reader"], 18],
    [["verify", "--webapp", "msdocs-web", "-g", RG, "--account", "msdocsstorage"], 25],
  ])("%j loads at most %i files of the bundle", async (args, most) => {
    const loaded = await loadsOf(args, emu.current.env);
    expect(loaded.code).not.toBe(1);
    expect(loaded.files).toBeGreaterThan(5);
    expect(loaded.files).toBeLessThanOrEqual(most);
  });

  it("identity loads the managed identity SDK; enable, verify and --help do not", async () => {
    const loaded = await loadsOf(["identity", "show", "msdocs-uami", "-g", RG], emu.current.env);
    expect(loaded.code).toBe(0);
    expect(loaded.packages).toContain("@azure/arm-msi");
    expect(DEFINITIONS.filter((d) => loaded.sources.has(d))).toEqual(["src/commands/identity.ts"]);
    for (const args of [["enable", "--webapp", "msdocs-web", "-g", RG], ["--help"], ["identity", "--help"]]) {
      const other = await loadsOf(args, emu.current.env);
      expect(other.code, args.join(" ")).toBe(0);
      expect(other.packages.has("@azure/arm-msi"), args.join(" ")).toBe(false);
    }
  });

  it("enable --containerapp loads the Container Apps SDK, no App Service, compute or storage", async () => {
    const loaded = await loadsOf(
      ["enable", "--containerapp", "msdocs-aca", "-g", RG, "--dry-run"],
      emu.current.env,
    );
    expect(loaded.code).toBe(0);
    expect(loaded.packages).toContain("@azure/arm-appcontainers");
    const unwanted = [
      "@azure/arm-appservice",
      "@azure/arm-compute",
      "@azure/arm-storage",
      "@azure/storage-blob",
    ];
    expect(unwanted.filter((p) => loaded.packages.has(p))).toEqual([]);
  });

  it("assign-role loads the storage SDK only for --storage-account", async () => {
    const base = [
      "assign-role",
      "--assignee",
      "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5",
      "--role",
      "Reader",
      "--dry-run",
    ];
    const byGroup = await loadsOf([...base, "-g", RG], emu.current.env);
    expect(byGroup.code).toBe(0);
    expect(byGroup.packages).toContain("@azure/arm-authorization");
    expect(byGroup.packages.has("@azure/arm-storage")).toBe(false);
    const byAccount = await loadsOf([...base, "--storage-account", "msdocsstorage"], emu.current.env);
    expect(byAccount.code).toBe(0);
    expect(byAccount.packages).toContain("@azure/arm-storage");
  });

  it("-o yaml loads yaml, and the result is YAML", async () => {
    const loaded = await loadsOf(["show", "--webapp", "msdocs-web", "-g", RG, "-o", "yaml"], emu.current.env);
    expect(loaded.code).toBe(0);
    expect(loaded.packages).toContain("yaml");
    expect(loaded.stdout).toMatch(/^resourceId: \/subscriptions\//m);
  });

  it("an unknown command still gets commander's suggestion from every command's name", async () => {
    const r = await runCli(["enabel"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'enabel'/);
    expect(r.stderr).toMatch(/Did you mean enable\?/);
  });

  it("a global option's value is not taken for the command's name", async () => {
    const r = await runCli(["--query", "verify", "enable", "--webapp", "msdocs-web", "-g", RG, "--dry-run"], {
      env: emu.current.env,
    });
    // enable ran (its result has no "verify": nothing printed), not an unknown command 'enable' of verify's.
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
  });
});

describe("help into a pipe", () => {
  const saved = (): Record<string, string> =>
    JSON.parse(readFileSync(join(ROOT, "dist/help.json"), "utf8")) as Record<string, string>;

  it("is the build's saved copy of commander's text, printed without loading the bundle", async () => {
    for (const [args, key] of [
      [["--help"], ""],
      [["-h"], ""],
      [["roles", "list", "--help"], "roles list"],
      [["identity", "federate", "-h"], "identity federate"],
    ] as const) {
      const loaded = await loadsOf([...args]);
      expect(loaded.code, args.join(" ")).toBe(0);
      expect(loaded.stdout, args.join(" ")).toBe(saved()[key]);
      expect([...loaded.sources, ...loaded.packages], args.join(" ")).toEqual([]);
    }
  });

  it("is, for every command, what commander prints into a pipe", async () => {
    const r = spawnSync(process.execPath, [join(ROOT, "test/helpers/commander-help.mjs"), ROOT], {
      encoding: "utf8",
      env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined, CLICOLOR_FORCE: undefined },
    });
    expect(r.status, r.stderr).toBe(0);
    const commander = JSON.parse(r.stdout) as Record<string, string>;
    expect(Object.keys(commander)).toEqual(
      expect.arrayContaining(["", "enable", "roles list", "identity federate"]),
    );
    expect(saved()).toEqual(commander);
  });

  it("with other arguments, or on a terminal, is commander's (wrapped to the terminal's width)", async () => {
    const wide = await loadsOf(["--help"], {}, 120);
    expect(wide.code).toBe(0);
    expect(wide.packages).toContain("commander");
    expect(Math.max(...wide.stdout.split("\n").map((l) => l.length))).toBeGreaterThan(80);
    const withGlobal = await loadsOf(["--output", "json", "roles", "list", "--help"]);
    expect(withGlobal.code).toBe(0);
    expect(withGlobal.packages).toContain("commander");
    expect(withGlobal.stdout).toBe(saved()["roles list"]);
  });
});

// NODE_COMPILE_CACHE alone is honoured by Node >= 22.1 itself; enableCompileCache() is what makes the
// cache work without it, in Node's default directory under the OS temp dir (TMPDIR here).
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const hasCompileCache = major > 22 || (major === 22 && minor >= 1);

function filesUnder(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]) : [];
}

describe(`compile cache on Node ${process.versions.node}`, () => {
  it(
    hasCompileCache
      ? "is on by default, in Node's directory under the temp dir"
      : "is absent on Node 20: the CLI runs as before",
    async () => {
      const tmp = tempDir("miauth-tmp-");
      // A run that loads the bundle (help into a pipe does not: it is the build's saved text).
      const r = await runCli(["version", "-o", "tsv", "--query", "miauth"], { env: { TMPDIR: tmp } });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
      expect(r.stderr).toBe("");
      const cached = filesUnder(join(tmp, "node-compile-cache"));
      if (hasCompileCache) expect(cached.length).toBeGreaterThan(0);
      else expect(cached).toEqual([]);
    },
  );

  it("goes where NODE_COMPILE_CACHE says", async () => {
    const tmp = tempDir("miauth-tmp-");
    const dir = tempDir("miauth-cache-");
    const r = await runCli(["version"], { env: { TMPDIR: tmp, NODE_COMPILE_CACHE: dir } });
    expect(r.code).toBe(0);
    expect(filesUnder(join(tmp, "node-compile-cache"))).toEqual([]);
    if (hasCompileCache) expect(filesUnder(dir).length).toBeGreaterThan(0);
    else expect(filesUnder(dir)).toEqual([]);
  });

  it("is off with NODE_DISABLE_COMPILE_CACHE", async () => {
    const tmp = tempDir("miauth-tmp-");
    const r = await runCli(["version"], { env: { TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: "1" } });
    expect(r.code).toBe(0);
    expect(filesUnder(join(tmp, "node-compile-cache"))).toEqual([]);
  });
});
