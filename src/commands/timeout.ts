// --timeout: every command that talks to Azure has a deadline (the run() wrapper in cli.ts enforces it).
import type { Command } from "commander";

export const TIMEOUT_HELP = "give up after this long (exit 6): a hung endpoint never hangs the command";

/** Adds --timeout with the command's default; verify has none (its default follows --wait). */
export function addTimeoutOption(cmd: Command, defaultValue?: string): Command {
  return cmd.option("--timeout <duration>", TIMEOUT_HELP, defaultValue);
}
