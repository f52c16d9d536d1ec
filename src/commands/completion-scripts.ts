// The completion scripts, made from the commander program: every command path, the options its --help
// lists (global ones included, as help shows them) and the values of options and arguments that
// declare them (commander's argChoices: -o, --cloud, --access, completion's shell, …).
import type { Command } from "commander";
import type { Shell } from "./completion.js";

interface Entry {
  name: string;
  description: string;
}

interface OptionEntry {
  /** -o and --output, or only one of them. */
  flags: string[];
  short?: string;
  long?: string;
  description: string;
  takesValue: boolean;
  values: string[];
}

/** One command path ("" for miauth itself, "roles list" for a subcommand) and what may follow it. */
export interface CompletionNode {
  path: string;
  commands: Entry[];
  options: OptionEntry[];
  /** Values of its positional argument, when it declares them. */
  args: string[];
}

/** Every command path of the program, depth first, with what its help shows. */
export function completionTree(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (cmd: Command, path: string[]) => {
    const help = cmd.createHelp();
    const options = [...help.visibleOptions(cmd), ...help.visibleGlobalOptions(cmd)].map((o) => {
      const flags = [o.short, o.long].filter((f): f is string => f !== undefined);
      return {
        flags,
        short: o.short,
        long: o.long,
        description: o.description,
        takesValue: o.required || o.optional,
        values: [...(o.argChoices ?? [])],
      };
    });
    const subcommands = help.visibleCommands(cmd);
    nodes.push({
      path: path.join(" "),
      commands: subcommands.map((c) => ({ name: c.name(), description: help.subcommandDescription(c) })),
      options,
      args: [...(cmd.registeredArguments[0]?.argChoices ?? [])],
    });
    // The help command's own entry is enough: it takes a command name, which completes as one.
    for (const sub of cmd.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  for (const word of nodes.flatMap((n) => [
    ...n.commands.map((c) => c.name),
    ...n.options.flatMap((o) => [...o.flags, ...o.values]),
    ...n.args,
  ])) {
    // Every word goes into the scripts unquoted: only plain ones may.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$|^--?[A-Za-z0-9][A-Za-z0-9-]*$/.test(word))
      throw new Error(`cannot complete '${word}': not a plain word`);
  }
  return nodes;
}

export function completionScript(shell: Shell, program: Command): string {
  const nodes = completionTree(program);
  const name = program.name();
  if (shell === "bash") return `${header(name, "bash")}${bash(name, nodes)}`;
  if (shell === "zsh") return zsh(name, nodes);
  if (shell === "fish") return fish(name, nodes);
  return pwsh(name, nodes);
}

/** "value|-o" keys of every option that takes a value, per path. */
function valued(nodes: CompletionNode[]): { key: string; values: string[] }[] {
  return nodes.flatMap((n) =>
    n.options
      .filter((o) => o.takesValue)
      .flatMap((o) => o.flags.map((f) => ({ key: `${n.path}|${f}`, values: o.values }))),
  );
}

function oneLineText(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function header(name: string, shell: Shell): string {
  return `# ${shell} completion for ${name}, made from its commands by '${name} completion ${shell}'\n`;
}

/** Bash's completion function (zsh runs the same one through bashcompinit). */
function bash(name: string, nodes: CompletionNode[]): string {
  const fn = `_${name}`;
  const cases = (rows: [string, string][]) =>
    rows
      .filter(([, text]) => text !== "")
      .map(([key, text]) => `    "${key}") echo "${text}" ;;`)
      .join("\n");
  const takes = valued(nodes);
  const withValues = takes.filter((t) => t.values.length > 0);
  return `${fn}_commands() {
  case "$1" in
${cases(nodes.map((n) => [n.path, n.commands.map((c) => c.name).join(" ")]))}
  esac
}
${fn}_options() {
  case "$1" in
${cases(nodes.map((n) => [n.path, n.options.flatMap((o) => o.flags).join(" ")]))}
  esac
}
${fn}_args() {
  case "$1" in
${cases(nodes.map((n) => [n.path, n.args.join(" ")]))}
  esac
}
${fn}_takes_value() {
  case "$1|$2" in
${takes.length ? `    ${takes.map((t) => `"${t.key}"`).join(" | ")}) return 0 ;;\n` : ""}  esac
  return 1
}
${fn}_values() {
  case "$1|$2" in
${cases(withValues.map((t) => [t.key, t.values.join(" ")]))}
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmdpath="" word i skip=0
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then
      skip=0
      continue
    fi
    if [[ $word == -* ]]; then
      ${fn}_takes_value "$cmdpath" "$word" && skip=1
      continue
    fi
    if [[ " $(${fn}_commands "$cmdpath") " == *" $word "* ]]; then
      cmdpath="\${cmdpath:+$cmdpath }$word"
    fi
  done
  if ((skip)); then
    local values
    values="$(${fn}_values "$cmdpath" "$prev")"
    if [[ -n $values ]]; then
      COMPREPLY=($(compgen -W "$values" -- "$cur"))
    else
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_options "$cmdpath")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${fn}_commands "$cmdpath") $(${fn}_args "$cmdpath")" -- "$cur"))
  fi
  return 0
}
complete -F ${fn} ${name}
`;
}

function zsh(name: string, nodes: CompletionNode[]): string {
  return `${header(name, "zsh")}# zsh runs the bash completion function through bashcompinit (load compinit first).
autoload -U +X bashcompinit && bashcompinit
${bash(name, nodes)}`;
}

function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function fish(name: string, nodes: CompletionNode[]): string {
  const fn = `__${name}`;
  const switchOf = (rows: [string, string][]) =>
    rows
      .filter(([, text]) => text !== "")
      .map(([key, text]) => `        case ${fishQuote(key)}\n            echo ${text}`)
      .join("\n");
  const takes = valued(nodes);
  const lines: string[] = [`complete -c ${name} -f`];
  for (const n of nodes) {
    const when = `-n ${fishQuote(`test (${fn}_path) = ${fishQuote(`${name} ${n.path}`.trim())}`)}`;
    for (const c of n.commands)
      lines.push(`complete -c ${name} ${when} -a ${c.name} -d ${fishQuote(oneLineText(c.description))}`);
    if (n.args.length) lines.push(`complete -c ${name} ${when} -a ${fishQuote(n.args.join(" "))}`);
    for (const o of n.options) {
      const flags = [o.short ? `-s ${o.short.slice(1)}` : "", o.long ? `-l ${o.long.slice(2)}` : ""]
        .filter(Boolean)
        .join(" ");
      const value = !o.takesValue
        ? ""
        : o.values.length
          ? ` -x -a ${fishQuote(o.values.join(" "))}`
          : " -r -F";
      lines.push(`complete -c ${name} ${when} ${flags}${value} -d ${fishQuote(oneLineText(o.description))}`);
    }
  }
  return `${header(name, "fish")}function ${fn}_commands
    switch "$argv[1]"
${switchOf(nodes.map((n) => [n.path, n.commands.map((c) => c.name).join(" ")]))}
    end
end
function ${fn}_takes_value
    switch "$argv[1]|$argv[2]"
${takes.length ? `        case ${takes.map((t) => fishQuote(t.key)).join(" ")}\n            return 0\n` : ""}    end
    return 1
end
# The command typed so far ("${name}", "${name} roles list"), skipping options and their values.
function ${fn}_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmdpath
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $t
            ${fn}_takes_value "$cmdpath" $t; and set skip 1
            continue
        end
        if contains -- $t (string split ' ' -- (${fn}_commands "$cmdpath"))
            set -a cmdpath $t
        end
    end
    echo ${name} $cmdpath
end
${lines.join("\n")}
`;
}

function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function pwsh(name: string, nodes: CompletionNode[]): string {
  const item = (n: string, d: string) => `@{ n = ${psQuote(n)}; d = ${psQuote(oneLineText(d) || n)} }`;
  const table = (rows: [string, string[]][]) =>
    rows.map(([key, items]) => `        ${psQuote(key)} = @(${items.join(", ")})`).join("\n");
  const takes = valued(nodes);
  return `${header(name, "pwsh")}Register-ArgumentCompleter -Native -CommandName ${name} -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $commands = @{
${table(nodes.map((n) => [n.path, n.commands.map((c) => item(c.name, c.description))]))}
    }
    $options = @{
${table(nodes.map((n) => [n.path, n.options.flatMap((o) => o.flags.map((f) => item(f, o.description)))]))}
    }
    $arguments = @{
${table(nodes.map((n) => [n.path, n.args.map((a) => item(a, a))]))}
    }
    $values = @{
${table(takes.map((t) => [t.key, t.values.map((v) => item(v, v))]))}
    }
    $words = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition -or ($wordToComplete -eq '' -and $_.Extent.EndOffset -le $cursorPosition) } | ForEach-Object { $_.ToString() })
    $path = ''
    $prev = $null
    foreach ($t in ($words | Select-Object -Skip 1)) {
        if ($null -ne $prev) { $prev = $null; continue }
        if ($t.StartsWith('-')) {
            if ($values.ContainsKey("$path|$t")) { $prev = $t }
            continue
        }
        if (@($commands[$path] | ForEach-Object { $_.n }) -contains $t) { $path = "$path $t".Trim() }
    }
    $candidates = if ($null -ne $prev) { $values["$path|$prev"] }
        elseif ($wordToComplete.StartsWith('-')) { $options[$path] }
        else { @($commands[$path]) + @($arguments[$path]) }
    $candidates | Where-Object { $_ -and $_.n -like "$wordToComplete*" } | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_.n, $_.n, 'ParameterValue', $_.d)
    }
}
`;
}
