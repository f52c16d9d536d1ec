// The global options (--subscription, -o, --query, --arm-endpoint, --cloud, --verbose, --debug) are for
// the commands that talk to Azure. A command that does not (the emulator, completion, version) names
// the few it reads: its help lists only those, and any other is refused (exit 2) instead of ignored.
import type { Command } from "commander";

const TAKEN = new WeakMap<Command, readonly string[]>();

/** Declares the global options `cmd` reads, by attribute name ("output", "debug"); it refuses the rest. */
export function takesGlobalOptions(cmd: Command, names: readonly string[]): Command {
  TAKEN.set(cmd, names);
  return cmd;
}

/** The global options `cmd` reads; undefined when it reads them all. -v/--version is everyone's. */
export function globalOptionsTakenBy(cmd: Command): readonly string[] | undefined {
  const taken = TAKEN.get(cmd);
  return taken && ["version", ...taken];
}
