// --timeout: every command that talks to Azure has a deadline (the run() wrapper in cli.ts enforces it).
import { type Command, Option } from "commander";
import { parseDuration } from "./shared.js";

export const TIMEOUT_HELP = "give up after this long (exit 6): a hung endpoint never hangs the command";

/** --timeout with the command's default (verify has none: it follows --wait) and what else it bounds. */
export function timeoutOption(defaultValue?: string, note?: string): Option {
  return new Option("--timeout <duration>", note ? `${TIMEOUT_HELP}; ${note}` : TIMEOUT_HELP).default(
    defaultValue,
  );
}

export function addTimeoutOption(cmd: Command, defaultValue?: string, note?: string): Command {
  return cmd.addOption(timeoutOption(defaultValue, note));
}

/** The deadline in ms: a --timeout of 0 would end every command before its first request. */
export function parseTimeout(value: string): number {
  return parseDuration("--timeout", value, { positive: true });
}
