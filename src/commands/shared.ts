// Options and helpers shared by the commands that take a target resource.

import { accessSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Command, Option } from "commander";
import type { Target } from "../azure/target.js";
import { UsageError } from "../errors.js";

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** az's -n/--name has no meaning here: say which flag names the target, before any request (exit 2). */
function nameHint(): never {
  throw new UsageError(
    "miauth has no -n/--name here: use --webapp NAME, --functionapp NAME, --vm NAME or --containerapp NAME",
  );
}

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("-n, --name <name>").hideHelp().argParser(nameHint))
    .option("--webapp <name>", "web app name (with -g)")
    .option("--functionapp <name>", "function app name (with -g)")
    .option("--vm <name>", "virtual machine name (with -g)")
    .option("--containerapp <name>", "container app name (with -g)")
    .option("-g, --resource-group <group>", "resource group of --webapp/--functionapp/--vm/--containerapp")
    .option("--ids <resourceId>", "full resource ID of a site, VM or container app (repeatable)", collect)
    .option("--slot <name>", "deployment slot of --webapp/--functionapp (its own identity)");
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** One target prints an object, several (repeated --ids) print an array, as az does. */
export function oneOrMany<T>(targets: Target[], results: T[]): T | T[] {
  return targets.length === 1 && results[0] !== undefined ? results[0] : results;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Longer waits overflow Node's timers (about 24.8 days) long before they make sense for a CLI. */
export const MAX_DURATION_MS = UNIT_MS.d;

/**
 * One syntax: a whole number with s, m, h or d ("30s", "3m", "1h", "1d"), or plain seconds; at most 24h.
 * Zero means "no wait" (--wait 0); `positive` refuses it where it would only fail at once (--timeout 0).
 */
export function parseDuration(flag: string, value: string, opts: { positive?: boolean } = {}): number {
  const match = /^(\d+)([smhd]?)$/.exec(value);
  if (!match) {
    throw new UsageError(
      `invalid ${flag} '${value}': use a whole number of seconds or a whole number with s, m, h or d, e.g. 30s, 5m or 1h`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[(match[2] || "s") as keyof typeof UNIT_MS];
  if (ms > MAX_DURATION_MS) throw new UsageError(`invalid ${flag} '${value}': at most 24h`);
  if (ms === 0 && opts.positive) throw new UsageError(`invalid ${flag} '${value}': it must be more than 0`);
  return ms;
}

/**
 * A file a command will write later: create its directory now (as mkdir -p does), and refuse, before
 * any request, what could never be written.
 */
export function prepareOutputFile(flag: string, path: string): string {
  const full = resolve(path);
  const kind = (p: string) => {
    try {
      return statSync(p).isDirectory() ? "directory" : "other";
    } catch {
      return "missing";
    }
  };
  const existing = kind(full);
  if (existing === "directory") throw new UsageError(`${flag} '${path}' is a directory: give a file name`);
  let above = dirname(full);
  while (kind(above) === "missing" && dirname(above) !== above) above = dirname(above);
  if (kind(above) !== "directory")
    throw new UsageError(`${flag}: cannot write '${path}': '${above}' is not a directory`);
  try {
    mkdirSync(dirname(full), { recursive: true });
    accessSync(existing === "missing" ? dirname(full) : full, constants.W_OK);
  } catch (err) {
    throw new UsageError(`${flag}: cannot write '${path}' (${(err as NodeJS.ErrnoException).code})`);
  }
  return path;
}

const MAX_INPUT_BYTES = 1024 * 1024;

/** Reads a text file the user named, at most 1 MiB (never /dev/zero or a huge file into memory). */
export function readTextFile(flag: string, path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buf = Buffer.alloc(MAX_INPUT_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_INPUT_BYTES) throw new UsageError(`${flag} '${path}' is larger than 1 MiB`);
    }
    return buf.toString("utf8", 0, length);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `cannot read ${flag} '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A shared option's help, reworded for one command (what -g also means there, say). */
export function setOptionHelp(cmd: Command, long: string, description: string): Command {
  const option = cmd.options.find((o) => o.long === long);
  if (!option) throw new Error(`${cmd.name()} has no option ${long}`);
  option.description = description;
  return cmd;
}

/**
 * The values an option takes, for its help and for shell completion (commander's `argChoices`). The
 * value is still checked by the command's own parser (case-insensitive, with its own message), so no
 * commander validation is installed.
 */
export function withValues(option: Option, values: readonly string[]): Option {
  option.argChoices = [...values];
  return option;
}
