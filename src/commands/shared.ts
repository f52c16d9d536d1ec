// Options and helpers shared by the commands that take a target resource.

import { createRequire } from "node:module";
import type { Command } from "commander";
import type { Target } from "../azure/target.js";
import { UsageError } from "../errors.js";

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option("--webapp <name>", "web app name (with -g)")
    .option("--functionapp <name>", "function app name (with -g)")
    .option("--vm <name>", "virtual machine name (with -g)")
    .option("-g, --resource-group <group>", "resource group of --webapp/--functionapp/--vm")
    .option("--ids <resourceId>", "full resource ID of a site or VM (repeatable)", collect);
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** One target prints an object, several (repeated --ids) print an array, as az does. */
export function oneOrMany<T>(targets: Target[], results: T[]): T | T[] {
  return targets.length === 1 && results[0] !== undefined ? results[0] : results;
}

/** "30s", "3m", "1h" (or plain seconds) in milliseconds. */
export function parseDuration(flag: string, value: string): number {
  const ms = createRequire(import.meta.url)("ms") as typeof import("ms");
  const n = /^\d+$/.test(value) ? Number(value) * 1000 : ms(value as import("ms").StringValue);
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`invalid ${flag} '${value}': use a duration such as 30s, 3m or 1h`);
  }
  return n;
}
