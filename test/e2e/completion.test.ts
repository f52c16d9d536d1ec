// `miauth completion SHELL`: scripts made from the program, so every command, option and enumerated
// value --help shows is offered. Bash's script is run: sourced, then asked to complete as bash would.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, spawnText } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "miauth-completion-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMANDS = [
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
];
const OUTPUT = ["json", "jsonc", "yaml", "table", "tsv", "none"];

async function script(shell: string): Promise<string> {
  const r = await runCli(["completion", shell]);
  expect([r.code, r.stderr], shell).toEqual([0, ""]);
  return r.stdout;
}

/** What bash's completion function offers for `line` (the last word is the one being completed). */
async function complete(bashScript: string, line: string): Promise<string[]> {
  const file = join(dir, "miauth.bash");
  writeFileSync(file, bashScript);
  const words = line.split(" ");
  const program = [
    `source ${JSON.stringify(file)}`,
    `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(" ")})`,
    `COMP_CWORD=${words.length - 1}`,
    "COMPREPLY=()",
    "_miauth",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own expansion
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join("\n");
  const r = await spawnText("bash", ["--norc", "--noprofile", "-c", program], { cwd: dir });
  expect([r.code, r.stderr], line).toEqual([0, ""]);
  return r.stdout.split("\n").filter(Boolean);
}

describe("miauth completion", () => {
  it("bash: a script bash accepts, that completes commands, subcommands, options and values", async () => {
    const bash = await script("bash");
    const syntax = await spawnText("bash", ["-n", "-c", bash]);
    expect([syntax.code, syntax.stderr]).toEqual([0, ""]);
    expect(await complete(bash, "miauth ass")).toEqual(["assign-role"]);
    expect(await complete(bash, "miauth ")).toEqual([...COMMANDS, "help"]);
    expect(await complete(bash, "miauth roles ")).toEqual(["list", "help"]);
    expect(await complete(bash, "miauth emulator st")).toEqual(["start"]);
    expect(await complete(bash, "miauth identity fe")).toEqual(["federate"]);
    expect(await complete(bash, "miauth -o ")).toEqual(OUTPUT);
    // A global option's value is skipped when finding the command; its values are offered after it too.
    expect(await complete(bash, "miauth -o table ena")).toEqual(["enable"]);
    expect(await complete(bash, "miauth show --output t")).toEqual(["table", "tsv"]);
    expect(await complete(bash, "miauth show --cloud AzureU")).toEqual(["AzureUSGovernment"]);
    expect(await complete(bash, "miauth verify --access read")).toEqual(["read", "readwrite"]);
    expect(await complete(bash, "miauth assign-role --assignee-principal-type ")).toEqual([
      "User",
      "Group",
      "ServicePrincipal",
      "ForeignGroup",
      "Device",
    ]);
    expect(await complete(bash, "miauth completion ")).toEqual(["bash", "zsh", "fish", "pwsh"]);
    // Options are the command's own (as its --help lists them), global ones included.
    expect(await complete(bash, "miauth assign-role --y")).toEqual(["--yes"]);
    expect(await complete(bash, "miauth unassign-role --y")).toEqual([]);
    expect(await complete(bash, "miauth roles list --s")).toEqual(["--scope", "--search", "--subscription"]);
    expect(await complete(bash, "miauth emulator start --")).toEqual([
      "--port",
      "--dir",
      "--seed",
      "--lro-delay",
      "--help",
      "--version",
      "--debug",
    ]);
    // A value with no fixed set: files, as bash does by default.
    writeFileSync(join(dir, "principals.txt"), "");
    expect(await complete(bash, "miauth assign-role --assignees-file princ")).toEqual(["principals.txt"]);
  });

  it("zsh: the same function, through bashcompinit", async () => {
    const zsh = await script("zsh");
    const bash = await script("bash");
    expect(zsh).toMatch(/^# zsh completion for miauth/);
    expect(zsh).toContain("autoload -U +X bashcompinit && bashcompinit\n");
    expect(zsh.endsWith(bash.slice(bash.indexOf("\n") + 1))).toBe(true);
  });

  it("fish: one complete line per command, option and value set, under the command typed so far", async () => {
    const fish = await script("fish");
    for (const c of COMMANDS)
      expect(fish).toContain(`complete -c miauth -n 'test (__miauth_path) = \\'miauth\\'' -a ${c} -d '`);
    expect(fish).toContain("complete -c miauth -n 'test (__miauth_path) = \\'miauth roles\\'' -a list -d ");
    expect(fish).toContain(
      "complete -c miauth -n 'test (__miauth_path) = \\'miauth show\\'' -s o -l output -x -a 'json jsonc yaml table tsv none' -d ",
    );
    expect(fish).toContain(
      "complete -c miauth -n 'test (__miauth_path) = \\'miauth verify\\'' -l access -x -a 'read write readwrite' -d ",
    );
    expect(fish).toContain(
      "complete -c miauth -n 'test (__miauth_path) = \\'miauth completion\\'' -a 'bash zsh fish pwsh'",
    );
    expect(fish).toMatch(/-l assignees-file -r -F -d /);
    expect(fish).not.toMatch(/miauth unassign-role\\'' -l yes/);
    // Quotes in descriptions are escaped: no line has an odd number of unescaped single quotes.
    for (const line of fish.split("\n").filter((l) => l.startsWith("complete "))) {
      expect(line.replace(/\\\\|\\'/g, "").split("'").length % 2, line).toBe(1);
    }
  });

  it("pwsh: a native argument completer with every command, option and value", async () => {
    const pwsh = await script("pwsh");
    expect(pwsh).toContain("Register-ArgumentCompleter -Native -CommandName miauth -ScriptBlock {");
    for (const c of COMMANDS) expect(pwsh).toContain(`@{ n = '${c}'; d = '`);
    expect(pwsh).toContain("'roles list' = @(@{ n = '--timeout'");
    expect(pwsh).toContain(
      "'|-o' = @(@{ n = 'json'; d = 'json' }, @{ n = 'jsonc'; d = 'jsonc' }, @{ n = 'yaml'; d = 'yaml' }, @{ n = 'table'; d = 'table' }, @{ n = 'tsv'; d = 'tsv' }, @{ n = 'none'; d = 'none' })",
    );
    expect(pwsh).toContain("'verify|--access' = @(@{ n = 'read'");
    expect(pwsh).toContain("'completion' = @(@{ n = 'bash'; d = 'bash' }");
    // Single quotes inside descriptions are doubled, as PowerShell's single-quoted strings need.
    expect(pwsh).toContain("(''#'' comments allowed)");
  });

  it("an unknown shell is exit 2, one line, nothing on stdout", async () => {
    const r = await runCli(["completion", "tcsh"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      "",
      "error: unknown shell 'tcsh': use bash, zsh, fish or pwsh\n",
    ]);
    const none = await runCli(["completion"]);
    expect([none.code, none.stdout]).toEqual([2, ""]);
    expect(none.stderr).toMatch(/^error: missing required argument 'shell'/);
  });
});
