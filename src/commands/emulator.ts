// `miauth emulator`: the local Azure (ARM + managed identity) for rehearsing offline.
// The emulator module is loaded only here, and only when one of these commands runs.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Command } from "commander";
import { parseTargetId } from "../azure/target.js";
import { UsageError } from "../errors.js";
import type { Runner } from "./runner.js";
import { examples } from "./shared.js";

const DEFAULT_DIR = ".miauth-emulator";

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`invalid --port '${value}': use 0-65535`);
  return port;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

interface StartOptions {
  port: string;
  dir: string;
  seed?: string;
  lroDelay: string;
}

export function emulatorCommand(run: Runner): Command {
  const emulator = new Command("emulator").description(
    "Run the local Azure emulator (ARM + managed identity) for tests, demos and rehearsals",
  );

  emulator
    .command("start")
    .description("Start the emulator in the foreground until Ctrl-C; writes DIR/env.sh and DIR/emulator.json")
    .option("--port <n>", "port on 127.0.0.1 (0 picks a free one)", "0")
    .option("--dir <dir>", "where to write ca.pem, env.sh and emulator.json", DEFAULT_DIR)
    .option("--seed <file>", "world JSON file to load instead of the built-in guide world")
    .option("--lro-delay <ms>", "how long a VM update stays InProgress", "1500")
    .addHelpText(
      "after",
      examples(["miauth emulator start --dir .miauth-emulator", "source .miauth-emulator/env.sh"]),
    )
    .action(
      // Runs until Ctrl-C or SIGTERM, which is how it is meant to stop: exit 0.
      run<StartOptions>({ endsOnSignal: true }, async (ctx, opts) => {
        const port = parsePort(opts.port);
        const lroDelayMs = Number(opts.lroDelay);
        if (!Number.isInteger(lroDelayMs) || lroDelayMs < 0)
          throw new UsageError(`invalid --lro-delay '${opts.lroDelay}'`);
        const { loadWorld, runEmulatorForeground } = await import("../emulator/index.js");
        let seed: ReturnType<typeof loadWorld> | undefined;
        if (opts.seed) {
          try {
            seed = loadWorld(opts.seed);
          } catch (err) {
            throw new UsageError(`invalid --seed: ${(err as Error).message}`);
          }
        }
        await runEmulatorForeground({ port, dir: resolve(opts.dir), seed, lroDelayMs }, ctx.io, ctx.signal);
      }),
    );

  emulator
    .command("env")
    .description("Print the shell exports that point miauth (or an app, with --as) at a running emulator")
    .option("--dir <dir>", "the emulator's directory", DEFAULT_DIR)
    .option("--as <resourceId>", "act as this resource's system-assigned managed identity")
    .addHelpText(
      "after",
      examples([
        'eval "$(miauth emulator env)"',
        'eval "$(miauth emulator env --as /subscriptions/…/resourceGroups/msdocs-sdk-auth-example/providers/Microsoft.Web/sites/msdocs-web)"',
      ]),
    )
    .action(
      run<{ dir: string; as?: string }>(async (ctx, opts) => {
        if (opts.as !== undefined) parseTargetId(opts.as);
        const dir = resolve(opts.dir);
        if (!existsSync(resolve(dir, "emulator.json"))) {
          throw new UsageError(`no emulator found in '${dir}'`, {
            hint: "start one first: miauth emulator start",
          });
        }
        if (opts.as === undefined) {
          ctx.io.stdout.write(await readFile(resolve(dir, "env.sh"), "utf8"));
          return;
        }
        const { identityEnvFromInfo } = await import("../emulator/index.js");
        let vars: Record<string, string>;
        try {
          vars = identityEnvFromInfo(resolve(dir, "emulator.json"), opts.as);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        ctx.io.stdout.write(
          Object.entries(vars)
            .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
            .join(""),
        );
      }),
    );
  return emulator;
}
