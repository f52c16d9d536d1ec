// Builds the command line and is the one place where an error becomes a message and an exit code.
import { Command, CommanderError, Help, Option } from "commander";
import { CLOUDS } from "./azure/clouds.js";
import "./commands/definition-kit.js";
import { globalOptionsTakenBy } from "./commands/global-options.js";
import type { Action, Handler, Runner, RunOptions } from "./commands/runner.js";
import { withValues } from "./commands/shared.js";
import { parseTimeout } from "./commands/timeout.js";
import type { Context, RawGlobalOptions } from "./context.js";
import { ExitCode, InterruptedError, MiauthError, TimeoutError, UsageError } from "./errors.js";
import { programHelpEnd } from "./help.js";
import { OUTPUT_FORMATS } from "./output/formats.js";
import { createIo, error, hint, type Io, oneLine } from "./output/io.js";
import { VERSION } from "./version.js";

export interface MainDeps {
  io?: Io;
  env?: NodeJS.ProcessEnv;
  /**
   * Wraps the options object each command's action receives (test/e2e/help.test.ts records which of
   * them the action reads, so that help never offers an option the command ignores).
   */
  watchOptions?: (command: Command, opts: object) => object;
}

const DEFAULT_CLEANUP_GRACE_MS = 3000;

export async function main(rawArgv: string[], deps: MainDeps = {}): Promise<number> {
  const argv = versionAsCommand(rawArgv);
  const env = deps.env ?? process.env;
  const io = deps.io ?? createIo(env);
  const abort = new AbortController();
  let context: Context | undefined;
  // The running command's declared lifecycle.
  let lifecycle: RunOptions = {};
  let finished = false;
  const onSignal = () => {
    abort.abort();
    // Every Azure call gets the abort signal; should one ignore it, leave anyway, still with 130.
    setTimeout(() => {
      if (!lifecycle.endsOnSignal) error(io, "interrupted");
      process.exit(lifecycle.endsOnSignal ? ExitCode.ok : ExitCode.interrupted);
    }, lifecycle.cleanupGraceMs ?? DEFAULT_CLEANUP_GRACE_MS).unref();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let debug = argv.includes("--debug");

  const wrap =
    <T>(options: RunOptions, action: Action<T>): Handler<T> =>
    async (given, cmd) => {
      lifecycle = options;
      const opts = (deps.watchOptions ? deps.watchOptions(cmd, given as object) : given) as typeof given;
      // The context and the output code are loaded only when a command runs, never for --help.
      const { Context, parseGlobals, loadFormat, applyDefaultGroup } = await import("./commands/actions.js");
      const globals = parseGlobals(cmd.optsWithGlobals<RawGlobalOptions>(), env);
      debug = globals.debug;
      await loadFormat(globals.output);
      const ctx = new Context(io, env, globals, abort.signal);
      context = ctx;
      // The deadline aborts every request; should one ignore it, leave anyway, with exit 6, after the
      // same grace Ctrl-C gives the command to clean up (verify removes its probe blob, writes its report).
      ctx.onDeadline = () => {
        setTimeout(() => {
          if (finished) return;
          report(io, ctx.deadlineError(), debug);
          process.exit(ExitCode.timeout);
        }, options.cleanupGraceMs ?? DEFAULT_CLEANUP_GRACE_MS).unref();
      };
      // A target named without -g takes the Azure CLI's default group (commands with -g and a target).
      if (cmd.options.some((o) => o.long === "--webapp"))
        await applyDefaultGroup(ctx, opts as Parameters<typeof applyDefaultGroup>[1]);
      // Only a command that offers --timeout has one (the emulator, completion and version do not).
      const timeout = cmd.options.some((o) => o.long === "--timeout")
        ? (opts as { timeout?: string }).timeout
        : undefined;
      if (timeout !== undefined) ctx.setDeadline(parseTimeout(timeout));
      await action(ctx, opts);
    };
  const run: Runner = <T>(first: RunOptions | Action<T>, action?: Action<T>) =>
    typeof first === "function" ? wrap({}, first) : wrap(first, action as Action<T>);

  const program = buildProgram(run, io, await loadCommands(argv.slice(2)));
  try {
    await program.parseAsync(argv);
    if (abort.signal.aborted && !lifecycle.endsOnSignal)
      return report(io, new InterruptedError("interrupted"), debug);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err);
    // Whatever the expired deadline made a call throw, it is one line and exit 6.
    if (context?.timedOut)
      return report(io, err instanceof TimeoutError ? err : context.deadlineError(), debug);
    if (abort.signal.aborted && !(err instanceof MiauthError && err.exitCode !== ExitCode.failure)) {
      return report(io, new InterruptedError("interrupted"), debug);
    }
    return report(io, err, debug);
  } finally {
    finished = true;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

type CommandFactory = (run: Runner) => Command;

/**
 * Every command's path (`[]` for miauth itself): the build saves each one's help as commander prints it
 * into a pipe (dist/help.json, which bin/miauth.js prints for `… --help` into a pipe).
 */
export async function commandPaths(): Promise<string[][]> {
  const never: Runner = () => async () => {
    throw new Error("commandPaths() runs no command");
  };
  const program = buildProgram(never, createIo(process.env), await loadCommands([]));
  const paths: string[][] = [];
  const visit = (cmd: Command, path: string[]) => {
    paths.push(path);
    for (const sub of cmd.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return paths;
}

// Each command's definition is its own chunk, loaded only when needed; each action loads its own code.
const COMMANDS: Record<string, () => Promise<CommandFactory>> = {
  enable: async () => (await import("./commands/enable.js")).enableCommand,
  disable: async () => (await import("./commands/disable.js")).disableCommand,
  show: async () => (await import("./commands/show.js")).showCommand,
  roles: async () => (await import("./commands/roles.js")).rolesCommand,
  identity: async () => (await import("./commands/identity.js")).identityCommand,
  "assign-role": async () => (await import("./commands/assign-role.js")).assignRoleCommand,
  "unassign-role": async () => (await import("./commands/unassign-role.js")).unassignRoleCommand,
  verify: async () => (await import("./commands/verify.js")).verifyCommand,
  setup: async () => (await import("./commands/setup.js")).setupCommand,
  doctor: async () => (await import("./commands/doctor.js")).doctorCommand,
  emulator: async () => (await import("./commands/emulator.js")).emulatorCommand,
  completion: async () => (await import("./commands/completion.js")).completionCommand,
  version: async () => (await import("./commands/version.js")).versionCommand,
};

/** `--version --verbose` (no command): what `miauth version` prints, for bug reports. */
function versionAsCommand(argv: string[]): string[] {
  const args = argv.slice(2);
  const isVersion = (a: string) => a === "--version" || a === "-v";
  if (!args.some(isVersion) || !args.includes("--verbose")) return argv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    // A command or help: not a version request.
    if (!arg.startsWith("-") || arg === "-h" || arg === "--help") return argv;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
  }
  return [...argv.slice(0, 2), "version", ...args.filter((a) => !isVersion(a) && a !== "--verbose")];
}

// The global options that take a value: their value is not the command's name.
const GLOBAL_VALUE_OPTIONS = new Set([
  "--subscription",
  "-o",
  "--output",
  "--query",
  "--arm-endpoint",
  "--cloud",
]);

/**
 * The command definitions argv needs: only the named command's when it names one; none for a bare
 * --version; every one otherwise (--help lists them all; an unknown name gets commander's suggestion).
 */
async function loadCommands(args: string[]): Promise<CommandFactory[]> {
  let first: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") {
      first = args[i + 1];
      break;
    }
    if (!arg.startsWith("-")) {
      first = arg;
      break;
    }
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
  }
  const named = first !== undefined && Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  // completion describes every command: it needs all their definitions (and none of their actions).
  if (named && first !== "completion") return [await named()];
  if (first === undefined && args.some((a) => a === "-v" || a === "--version")) {
    if (!args.some((a) => a === "-h" || a === "--help")) return [];
  }
  return Promise.all(Object.values(COMMANDS).map((load) => load()));
}

function buildProgram(run: Runner, io: Io, commands: CommandFactory[]): Command {
  const program = new Command("miauth")
    .description(
      "Set up Azure managed identities the way Microsoft documents it: enable an identity, assign a role, verify access.",
    )
    .version(VERSION, "-v, --version")
    .option(
      "--subscription <id|name>",
      "subscription to use (else AZURE_SUBSCRIPTION_ID, the az default, or the only one)",
    )
    .addOption(
      withValues(new Option("-o, --output <format>", "output format (env MIAUTH_OUTPUT)"), OUTPUT_FORMATS),
    )
    .option("--query <jmespath>", "JMESPath query applied to the result before output")
    .option("--arm-endpoint <url>", "ARM base URL (env MIAUTH_ARM_ENDPOINT), e.g. the local emulator")
    .addOption(
      withValues(
        new Option("--cloud <name>", "Azure cloud (env MIAUTH_CLOUD)"),
        Object.values(CLOUDS).map((c) => c.name),
      ),
    )
    .option("--verbose", "say more on stderr")
    .option("--debug", "HTTP trace on stderr (tokens are never printed)")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", programHelpEnd())
    .configureHelp({
      showGlobalOptions: true,
      // A command that does not talk to Azure lists only the global options it reads.
      visibleGlobalOptions(cmd: Command): Option[] {
        const taken = globalOptionsTakenBy(cmd);
        const all = Help.prototype.visibleGlobalOptions.call(this, cmd);
        return taken ? all.filter((o) => taken.includes(o.attributeName())) : all;
      },
    })
    .hook("preAction", (root, action) => refuseGlobalOptions(root, action))
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander echoes the flag or value it refuses: keep its lines, but each one plain text.
      outputError: (s, write) => write(io.paint.err(s.split("\n").map(oneLine).join("\n"))),
    });
  for (const make of commands) {
    const cmd = make(run);
    program.addCommand(cmd);
    inheritSettings(program, cmd);
  }
  return program;
}

/** A global option given to a command that does not read it is an error, not silently ignored. */
function refuseGlobalOptions(root: Command, action: Command): void {
  const taken = globalOptionsTakenBy(action);
  if (!taken) return;
  for (const option of root.options) {
    const key = option.attributeName();
    if (!taken.includes(key) && root.getOptionValueSource(key) === "cli") {
      const path = [action.parent?.parent ? action.parent.name() : "", action.name()].filter(Boolean);
      throw new UsageError(`${path.join(" ")} does not take ${option.long}`);
    }
  }
}

/** addCommand() does not copy settings the way command() does: help, output and error handling. */
function inheritSettings(parent: Command, cmd: Command): void {
  cmd.copyInheritedSettings(parent);
  for (const sub of cmd.commands) inheritSettings(cmd, sub);
}

function commanderExit(err: CommanderError): number {
  if (
    err.code === "commander.helpDisplayed" ||
    err.code === "commander.version" ||
    err.code === "commander.help"
  ) {
    return ExitCode.ok;
  }
  if (err.code === "commander.executeSubCommandAsync") return err.exitCode;
  return ExitCode.usage;
}

function report(io: Io, err: unknown, debug: boolean): number {
  if (err instanceof MiauthError) {
    error(io, err.message);
    if (err.hint) hint(io, err.hint);
    if (debug && err.cause instanceof Error && err.cause.stack) writeStack(io, err.cause.stack);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  error(io, message.split("\n")[0] ?? message);
  if (debug && err instanceof Error && err.stack) writeStack(io, err.stack);
  else hint(io, "run again with --debug for details");
  return ExitCode.failure;
}

/** --debug: a stack is many lines, but none of them may carry a terminal escape from echoed input. */
function writeStack(io: Io, stack: string): void {
  io.stderr.write(`${stack.split("\n").map(oneLine).join("\n")}\n`);
}
