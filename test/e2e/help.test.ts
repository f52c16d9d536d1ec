// --help is accurate. Each command's options are the ones its action reads: the built CLI runs every
// command against the emulator through test/helpers/watch-options.mjs, which records the options
// commander declared for it and each one the action reads. A new option passes only if some run below
// reaches the code that reads it (add a run to RUNS if none does); a new command fails until it has a
// run. `miauth --help` ends with the exit codes and every environment variable the code reads.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { baseEnv, ROOT, runCli } from "../helpers/cli.js";
import { RG, type TestEmulator, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });
const dir = mkdtempSync(join(tmpdir(), "miauth-help-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const P = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5";
const UAMI_CLIENT = "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b";
const HARNESS = join(ROOT, "test/helpers/watch-options.mjs");

/** Runs that together reach every option's reading, per command (leaf) path. */
const RUNS: Record<string, (e: TestEmulator) => string[][]> = {
  enable: () => [
    ["enable", "--webapp", "msdocs-web", "-g", RG, "--dry-run"],
    ["enable", "--containerapp", "msdocs-aca", "-g", RG, "--dry-run"],
  ],
  disable: () => [["disable", "--webapp", "msdocs-web", "-g", RG, "--dry-run"]],
  show: () => [["show", "--webapp", "msdocs-web", "-g", RG]],
  "roles list": () => [["roles", "list", "--name", "Reader"]],
  "identity create": () => [
    ["identity", "create", "msdocs-help", "-g", RG, "--location", "eastus", "--dry-run"],
  ],
  "identity show": (e) => [
    ["identity", "show", "msdocs-uami", "-g", RG],
    ["identity", "show", "--ids", e.uamiId("msdocs-uami")],
  ],
  "identity list": () => [["identity", "list", "-g", RG]],
  "identity delete": () => [["identity", "delete", "msdocs-uami", "-g", RG, "--force", "--dry-run"]],
  "assign-role": () => [
    ["assign-role", "--assignee", P, "--role", "Reader", "-g", RG, "--dry-run"],
    [
      "assign-role",
      "--identity",
      "msdocs-uami",
      "--identity-resource-group",
      RG,
      "--role",
      "Reader",
      "-g",
      RG,
      "--dry-run",
    ],
  ],
  "unassign-role": () => [
    ["unassign-role", "--assignee", P, "--role", "Reader", "-g", RG, "--dry-run"],
    [
      "unassign-role",
      "--identity",
      "msdocs-uami",
      "--identity-resource-group",
      RG,
      "--role",
      "Reader",
      "-g",
      RG,
      "--dry-run",
    ],
  ],
  verify: () => [
    ["verify", "--webapp", "msdocs-web", "-g", RG, "--account", "msdocsstorage"],
    [
      "verify",
      "--identity",
      "msdocs-uami",
      "--identity-resource-group",
      RG,
      "--account",
      "msdocsstorage",
      "-g",
      RG,
    ],
    ["verify", "--client-id", P, "--account", "msdocsstorage"],
  ],
  "emulator start": () => [["emulator", "start", "--dir", join(dir, "emulator")]],
  "emulator env": (e) => [
    ["emulator", "env", "--dir", e.handle.dir, "--webapp", "msdocs-web", "-g", RG],
    [
      "emulator",
      "env",
      "--dir",
      e.handle.dir,
      "--as-github-workflow",
      "octo-org/app",
      "--client-id",
      UAMI_CLIENT,
    ],
  ],
  "identity federate": () => [
    ["identity", "federate", "msdocs-uami", "-g", RG, "--github", "octo-org/app", "--branch", "main"],
  ],
  setup: () => [
    ["setup", "--webapp", "msdocs-web", "-g", RG, "--storage-account", "msdocsstorage", "--dry-run"],
    [
      "setup",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--storage-account",
      "msdocsstorage",
      "--user-assigned",
      "msdocs-uami",
      "--identity-resource-group",
      RG,
      "--dry-run",
    ],
    [
      "setup",
      "--containerapp",
      "msdocs-aca",
      "-g",
      RG,
      "--storage-account",
      "msdocsstorage",
      "--set-env",
      "--dry-run",
    ],
  ],
  doctor: () => [["doctor"]],
  completion: () => [["completion", "bash"]],
  version: () => [["version"]],
};

type Line =
  | { command: string; declared: { flags: string; attribute: string }[] }
  | { read: string }
  | { enumerated: true };

interface Watched {
  command: string;
  declared: { flags: string; attribute: string }[];
  read: Set<string>;
  enumerated: boolean;
}

/** One run of the harness; a command that runs until a signal (emulator start) gets SIGTERM once ready. */
function watch(args: string[], env: Record<string, string>): Promise<Watched[]> {
  const file = join(mkdtempSync(join(dir, "watch-")), "watch.jsonl");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARNESS, ...args], {
      env: { ...baseEnv(), ...env, MIAUTH_WATCH_FILE: file },
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stdout.on("data", (d) => {
      if (/emulator ready at/.test(String(d))) child.kill("SIGTERM");
    });
    child.stderr.resume();
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      let text = "";
      try {
        text = readFileSync(file, "utf8");
      } catch {
        // No action ran (completion is not run through the options wrapper): nothing recorded.
      }
      resolve(parseWatch(text));
    });
  });
}

function parseWatch(text: string): Watched[] {
  const runs: Watched[] = [];
  for (const line of text.split("\n").filter(Boolean)) {
    const l = JSON.parse(line) as Line;
    if ("command" in l) runs.push({ ...l, read: new Set(), enumerated: false });
    else if ("read" in l) runs.at(-1)?.read.add(l.read);
    else {
      const last = runs.at(-1);
      if (last) last.enumerated = true;
    }
  }
  return runs;
}

/** What the check reports: options offered and never read, options read and never offered. */
function mismatches(runs: Watched[]): string[] {
  const out: string[] = [];
  for (const command of new Set(runs.map((r) => r.command))) {
    const mine = runs.filter((r) => r.command === command);
    const declared = mine[0]?.declared ?? [];
    const read = new Set(mine.flatMap((r) => [...r.read]));
    for (const d of declared)
      if (!read.has(d.attribute)) out.push(`${command}: offers ${d.flags} but never reads it`);
    for (const key of read)
      if (!declared.some((d) => d.attribute === key)) out.push(`${command}: reads '${key}', no such option`);
    if (mine.some((r) => r.enumerated)) out.push(`${command}: enumerates its options (reads cannot be told)`);
  }
  return out;
}

/** The names a help text lists under "Commands:" (without help). */
function commandsIn(help: string): string[] {
  const lines = help.split("\n");
  const start = lines.indexOf("Commands:");
  if (start < 0) return [];
  const section = lines.slice(start + 1, lines.indexOf("", start));
  return section.flatMap((l) => /^ {2}(\S+)/.exec(l)?.[1] ?? []).filter((n) => n !== "help");
}

/** Every command path that runs an action: those with no subcommands of their own. */
async function leafCommands(path: string[] = []): Promise<string[]> {
  const r = await runCli([...path, "--help"]);
  expect(r.code, path.join(" ")).toBe(0);
  const subs = commandsIn(r.stdout);
  if (subs.length === 0) return [path.join(" ")];
  return (await Promise.all(subs.map((s) => leafCommands([...path, s])))).flat();
}

async function help(...path: string[]): Promise<string> {
  const r = await runCli([...path, "--help"]);
  expect(r.code).toBe(0);
  return r.stdout;
}

/** One option's description in a help text, its wrapped lines joined. */
function describedAs(text: string, flags: string): string {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith(`  ${flags}  `));
  if (at < 0) return "";
  const more = lines.slice(at + 1);
  const end = more.findIndex((l) => !/^ {4,}\S/.test(l));
  return [lines[at] ?? "", ...more.slice(0, end < 0 ? more.length : end)]
    .join(" ")
    .slice(flags.length + 2)
    .replace(/\s+/g, " ")
    .trim();
}

/** Only the options section of a command's help (not the global options). */
function ownOptions(text: string): string {
  return /^Options:\n([\s\S]*?)\n\n/m.exec(text)?.[1] ?? "";
}

describe("each command's help offers only options its action reads", () => {
  it("every option each command declares is read by it, and it reads no other", async () => {
    const leaves = await leafCommands();
    expect(leaves).toContain("roles list");
    expect(leaves.filter((l) => RUNS[l] === undefined)).toEqual([]);
    const runs: Watched[] = [];
    for (const leaf of leaves) {
      const before = runs.length;
      for (const args of RUNS[leaf]?.(emu.current) ?? []) runs.push(...(await watch(args, emu.current.env)));
      if (runs.length > before) continue;
      // No action was watched (completion writes its script itself): then it must declare no option.
      const options = ownOptions(await help(...leaf.split(" ")));
      expect(options.trim().split("\n"), leaf).toEqual([expect.stringMatching(/^-h, --help\s/)]);
    }
    expect(new Set(runs.map((r) => r.command)).size).toBeGreaterThanOrEqual(9);
    expect(mismatches(runs)).toEqual([]);
    // One CLI run per way of calling each command, one after another: 41-47 s on a host where a process
    // starts in 80-90 ms (2026-12-01), too close to the default 60 s.
  }, 180_000);

  it("the check reports an option offered and never read, one read and never offered, and enumeration", () => {
    const declared = [
      { flags: "--yes", attribute: "yes" },
      { flags: "--role <name>", attribute: "role" },
    ];
    const runs: Watched[] = [
      { command: "x", declared, read: new Set(["role", "rolle"]), enumerated: false },
      { command: "y", declared, read: new Set(["role", "yes"]), enumerated: true },
    ];
    expect(mismatches(runs)).toEqual([
      "x: offers --yes but never reads it",
      "x: reads 'rolle', no such option",
      "y: enumerates its options (reads cannot be told)",
    ]);
  });

  it("unassign-role offers only what it uses, and says what --assignee and -g mean there", async () => {
    const unassign = ownOptions(await help("unassign-role"));
    for (const flag of ["--yes", "--principal-wait", "--assignee-principal-type"])
      expect(unassign).not.toContain(flag);
    expect(unassign).toContain("--concurrency"); // it removes several assignments at once
    expect(unassign).not.toMatch(/to assign to/);
    expect(describedAs(unassign, "--assignee <id|upn|name>")).toMatch(
      /^principal whose assignment to remove: object ID, or a user principal name, appId:GUID or a service principal's display name, looked up in Microsoft Graph \(repeatable\)$/,
    );
    const assign = ownOptions(await help("assign-role"));
    expect(describedAs(assign, "--assignee <id|upn|name>")).toMatch(
      /^principal to assign the role to: object ID/,
    );
    for (const text of [unassign, assign]) {
      expect(describedAs(text, "-g, --resource-group <group>")).toBe(
        "the scope unless --scope is given; and the resource group of --webapp/--functionapp/--vm",
      );
    }
    for (const flag of ["--yes", "--principal-wait", "--assignee-principal-type"])
      expect(assign).toContain(flag);
  });

  it("verify takes one --ids, and its -g also names the account's group", async () => {
    const verify = ownOptions(await help("verify"));
    expect(describedAs(verify, "--ids <resourceId>")).toBe("full resource ID of a site, VM or container app");
    expect(describedAs(verify, "-g, --resource-group <group>")).toBe(
      "resource group of --webapp/--functionapp/--vm/--containerapp, and of --account unless --account-resource-group is given",
    );
    // Where --ids may name several, help says so.
    expect(describedAs(ownOptions(await help("show")), "--ids <resourceId>")).toBe(
      "full resource ID of a site, VM or container app (repeatable)",
    );
    // Still one at a time when repeated: an error, not the last one silently.
    const r = await runCli(
      ["verify", "--ids", emu.current.siteId("app1"), "--ids", emu.current.siteId("app2")],
      {
        env: emu.current.env,
      },
    );
    expect([r.code, r.stderr]).toEqual([2, "error: verify checks one identity at a time: give one --ids\n"]);
  });

  it("enumerated values are in the help: -o, --cloud, verify --access, --assignee-principal-type", async () => {
    const top = (await help()).replace(/\s+/g, " ");
    expect(top).toContain(
      '-o, --output <format> output format (env MIAUTH_OUTPUT) (choices: "json", "jsonc", "yaml", "table", "tsv", "none")',
    );
    expect(top).toContain('(choices: "AzureCloud", "AzureUSGovernment", "AzureChinaCloud")');
    expect((await help("verify")).replace(/\s+/g, " ")).toContain(
      '(choices: "read", "write", "readwrite", default: "read")',
    );
    expect((await help("assign-role")).replace(/\s+/g, " ")).toContain(
      '(choices: "User", "Group", "ServicePrincipal", "ForeignGroup", "Device")',
    );
  });
});

describe("commands that do not talk to Azure take only the global options they read", () => {
  const TAKEN: Record<string, string[]> = {
    "emulator start": ["-v, --version", "--debug"],
    "emulator env": ["-v, --version", "--debug"],
    completion: ["-v, --version", "--debug"],
    version: ["-v, --version", "-o, --output <format>", "--query <jmespath>", "--debug"],
  };
  const globalsOf = (text: string) =>
    [
      ...(/^Global Options:\n([\s\S]*?)\n\n/m.exec(text)?.[1] ?? "").matchAll(/^ {2}(\S.*?)(?: {2,}|$)/gm),
    ].map((m) => m[1]);

  it("their help lists only those; the others list all", async () => {
    for (const [path, taken] of Object.entries(TAKEN))
      expect(globalsOf(await help(...path.split(" "))), path).toEqual(taken);
    expect(globalsOf(await help("show"))).toEqual([
      "-v, --version",
      "--subscription <id|name>",
      "-o, --output <format>",
      "--query <jmespath>",
      "--arm-endpoint <url>",
      "--cloud <name>",
      "--verbose",
      "--debug",
    ]);
  });

  it.each([
    [["emulator", "env", "--subscription", "x"], "emulator env does not take --subscription"],
    [["emulator", "start", "-o", "table"], "emulator start does not take --output"],
    [
      ["completion", "bash", "--arm-endpoint", "https://127.0.0.1:1"],
      "completion does not take --arm-endpoint",
    ],
    [["version", "--cloud", "AzureCloud"], "version does not take --cloud"],
  ])("%j is exit 2, one line, before anything runs", async (args, message) => {
    const before = readdirSync(dir).length;
    const r = await runCli(args, { env: emu.current.env, cwd: dir });
    expect([r.code, r.stdout, r.stderr]).toEqual([2, "", `error: ${message}\n`]);
    expect(readdirSync(dir).length).toBe(before); // emulator start made no directory
  });
});

/** Environment variable names the code reads (outside the emulator), from its source. */
function envVariablesRead(): Set<string> {
  const names = new Set<string>();
  const scan = (path: string) => {
    if (statSync(path).isDirectory()) {
      if (path.endsWith("/emulator")) return;
      for (const f of readdirSync(path)) scan(join(path, f));
      return;
    }
    if (!/\.(ts|js)$/.test(path)) return;
    for (const m of readFileSync(path, "utf8").matchAll(
      /\benv\.([A-Z][A-Z0-9_]+)|\benv\[["']([A-Z0-9_]+)["']\]/g,
    ))
      names.add(m[1] ?? m[2] ?? "");
  };
  scan(join(ROOT, "src"));
  scan(join(ROOT, "bin"));
  return names;
}

describe("miauth --help ends with the exit codes and the environment", () => {
  it("lists every exit code and every variable the code reads", async () => {
    const text = await help();
    const end = text.slice(text.indexOf("\nExit codes:\n"));
    expect(end).toMatch(/^\nExit codes:\n[\s\S]*\nEnvironment:\n/);
    for (const code of Object.values(ExitCode)) expect(end).toMatch(new RegExp(`^ +${code} {2}\\S`, "m"));
    const read = envVariablesRead();
    expect(read.size).toBeGreaterThan(15);
    // HOME is the home directory (~/.azure): not a setting of miauth's.
    const missing = [...read].filter((name) => name !== "HOME" && !end.includes(name));
    expect(missing).toEqual([]);
    expect(end.split("\n").every((line) => line.length <= 80)).toBe(true);
  });
});
