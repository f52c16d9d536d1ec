// --timeout: every command that talks to Azure has a deadline (the run() wrapper in cli.ts enforces it).
import type { Command } from "commander";
import { parseDuration } from "./shared.js";

export const TIMEOUT_HELP = "give up after this long (exit 6): a hung endpoint never hangs the command";

/** Adds --timeout with the command's default; verify has none (its default follows --wait). */
export function addTimeoutOption(cmd: Command, defaultValue?: string): Command {
  return cmd.option("--timeout <duration>", TIMEOUT_HELP, defaultValue);
}

/** The deadline in ms: a --timeout of 0 would end every command before its first request. */
export function parseTimeout(value: string): number {
  return parseDuration("--timeout", value, { positive: true });
}
