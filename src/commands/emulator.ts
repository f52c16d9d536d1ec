// `miauth emulator`: the local Azure (ARM + managed identity) for rehearsing offline.
// The emulator module is loaded only here, and only when one of these commands runs.
import "./definition-kit.js";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Command } from "commander";
import {
  validateContainerAppName,
  validateResourceGroupName,
  validateSiteName,
  validateVmName,
} from "../azure/ids.js";
import { parseTargetId } from "../azure/target.js";
import { UsageError } from "../errors.js";
import { takesGlobalOptions } from "./global-options.js";
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

interface EnvOptions {
  dir?: string;
  as?: string;
  asGithubWorkflow?: string;
  ref?: string;
  environment?: string;
  pullRequest?: boolean;
  clientId?: string;
  webapp?: string;
  functionapp?: string;
  vm?: string;
  containerapp?: string;
  resourceGroup?: string;
}

type HostFlag = "webapp" | "functionapp" | "vm" | "containerapp";

/** `env`'s host, from --as ID or --webapp/--functionapp/--vm/--containerapp NAME -g RG; none for the operator's env. */
function parseHost(
  opts: EnvOptions,
): { resourceId: string } | { kind: HostFlag; name: string; resourceGroup: string } | undefined {
  const flags = (["webapp", "functionapp", "vm", "containerapp"] as const).filter(
    (k) => opts[k] !== undefined,
  );
  const given = [...(opts.as !== undefined ? ["--as"] : []), ...flags.map((k) => `--${k}`)];
  if (given.length > 1) {
    throw new UsageError(
      `conflicting ${given.join(" and ")}: give one of --as ID or --webapp/--functionapp/--vm/--containerapp NAME -g RG`,
    );
  }
  const kind = flags[0];
  if (kind === undefined) {
    if (opts.resourceGroup !== undefined)
      throw new UsageError(
        opts.as === undefined
          ? "-g/--resource-group needs --webapp, --functionapp, --vm or --containerapp"
          : "-g/--resource-group cannot be combined with --as: the ID names the group",
      );
    if (opts.as === undefined) return undefined;
    parseTargetId(opts.as);
    return { resourceId: opts.as };
  }
  const name = opts[kind] ?? "";
  if (opts.resourceGroup === undefined) throw new UsageError(`--${kind} needs -g/--resource-group`);
  const resourceGroup = validateResourceGroupName(opts.resourceGroup);
  if (kind === "vm") validateVmName(name);
  else if (kind === "containerapp") validateContainerAppName(name);
  else validateSiteName(name, `--${kind}`);
  return { kind, name, resourceGroup };
}

/** --as-github-workflow and its job flags: which job, before any request. */
function parseWorkflow(
  opts: EnvOptions,
):
  | { repository: string; ref: string; environment?: string; pullRequest?: boolean; clientId?: string }
  | undefined {
  const jobFlags = [
    opts.ref !== undefined && "--ref",
    opts.environment !== undefined && "--environment",
    opts.pullRequest && "--pull-request",
    opts.clientId !== undefined && "--client-id",
  ].filter((x): x is string => typeof x === "string");
  if (opts.asGithubWorkflow === undefined) {
    if (jobFlags.length > 0)
      throw new UsageError(`${jobFlags.join(", ")} needs --as-github-workflow OWNER/REPO`);
    return undefined;
  }
  const hostFlags = [
    opts.as !== undefined && "--as",
    opts.webapp !== undefined && "--webapp",
    opts.functionapp !== undefined && "--functionapp",
    opts.vm !== undefined && "--vm",
    opts.resourceGroup !== undefined && "-g",
  ].filter((x): x is string => typeof x === "string");
  if (hostFlags.length > 0)
    throw new UsageError(
      `--as-github-workflow cannot be combined with ${hostFlags.join(", ")}: a runner is no Azure host`,
    );
  const repository = opts.asGithubWorkflow;
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/.test(repository))
    throw new UsageError(`invalid --as-github-workflow '${repository}': use OWNER/REPO`);
  const ref = opts.ref ?? (opts.pullRequest ? "refs/pull/1/merge" : "refs/heads/main");
  if (!/^refs\/(heads|tags|pull)\/[^\s:]+$/.test(ref))
    throw new UsageError(`invalid --ref '${ref}': use refs/heads/BRANCH, refs/tags/TAG or refs/pull/N/merge`);
  if (opts.environment !== undefined && !/^[^\s:]+$/.test(opts.environment))
    throw new UsageError(`invalid --environment '${opts.environment}'`);
  if (
    opts.clientId !== undefined &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(opts.clientId)
  )
    throw new UsageError(`invalid --client-id '${opts.clientId}': expected a GUID`);
  return {
    repository,
    ref,
    ...(opts.environment !== undefined && { environment: opts.environment }),
    ...(opts.pullRequest && { pullRequest: true }),
    ...(opts.clientId !== undefined && { clientId: opts.clientId }),
  };
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
    .description(
      "Print the shell exports that point miauth (or an app, with --as or a host flag) at a running emulator",
    )
    .option("--dir <dir>", `the emulator's directory (default: $MIAUTH_EMULATOR_DIR, else ${DEFAULT_DIR})`)
    .option(
      "--as <resourceId>",
      "an app on this web app, function app, VM or container app, as its host sets it up now",
    )
    .option("--webapp <name>", "an app on this web app (with -g)")
    .option("--functionapp <name>", "an app on this function app (with -g)")
    .option("--vm <name>", "an app on this virtual machine (with -g)")
    .option("--containerapp <name>", "an app in this container app (with -g)")
    .option("-g, --resource-group <name>", "the resource group of --webapp/--functionapp/--vm/--containerapp")
    .option(
      "--as-github-workflow <owner/repo>",
      "a GitHub Actions job of this repository after its OIDC step (workload identity federation)",
    )
    .option("--ref <ref>", "the job's GITHUB_REF (with --as-github-workflow; default refs/heads/main)")
    .option("--environment <name>", "the job's deployment environment (with --as-github-workflow)")
    .option("--pull-request", "a job triggered by a pull request (with --as-github-workflow)")
    .option(
      "--client-id <id>",
      "the identity the job signs in as (with --as-github-workflow; default: the only one trusting the repository)",
    )
    .addHelpText(
      "after",
      examples([
        'eval "$(miauth emulator env)"',
        'eval "$(miauth emulator env --as-github-workflow octo-org/app --ref refs/heads/main)"',
        'eval "$(miauth emulator env --webapp msdocs-web -g msdocs-sdk-auth-example)"',
        'eval "$(miauth emulator env --vm msdocs-vm -g msdocs-sdk-auth-example)"',
        'eval "$(miauth emulator env --containerapp msdocs-aca -g msdocs-sdk-auth-example)"',
        'eval "$(miauth emulator env --as /subscriptions/…/resourceGroups/msdocs-sdk-auth-example/providers/Microsoft.Web/sites/msdocs-web)"',
      ]),
    )
    .action(
      run<EnvOptions>(async (ctx, opts) => {
        const workflow = parseWorkflow(opts);
        const host = parseHost(opts);
        const dir = resolve(opts.dir ?? (ctx.env.MIAUTH_EMULATOR_DIR || DEFAULT_DIR));
        if (!existsSync(resolve(dir, "emulator.json"))) {
          throw new UsageError(`no emulator found in '${dir}'`, {
            hint: "start one first: miauth emulator start",
          });
        }
        if (workflow !== undefined) {
          const { workflowEnvFromInfo, HOST_VARIABLES, WORKFLOW_VARIABLES } = await import(
            "../emulator/index.js"
          );
          let vars: Record<string, string>;
          try {
            vars = await workflowEnvFromInfo(resolve(dir, "emulator.json"), workflow);
          } catch (err) {
            throw new UsageError((err as Error).message);
          }
          // A runner has no host identity endpoint and no AZURE_TOKEN_CREDENTIALS (env.sh sets both).
          const absent = [...HOST_VARIABLES, ...WORKFLOW_VARIABLES, "AZURE_TOKEN_CREDENTIALS"].filter(
            (k) => !(k in vars),
          );
          ctx.io.stdout.write(
            `unset ${absent.join(" ")}\n${Object.entries(vars)
              .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
              .join("")}`,
          );
          return;
        }
        if (host === undefined) {
          ctx.io.stdout.write(await readFile(resolve(dir, "env.sh"), "utf8"));
          return;
        }
        const { identityEnvFromInfo, HOST_VARIABLES } = await import("../emulator/index.js");
        let vars: Record<string, string>;
        try {
          vars = await identityEnvFromInfo(resolve(dir, "emulator.json"), host);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        // A host's variables that this host does not set are unset: after env.sh (the operator's
        // IDENTITY_ENDPOINT) or another --as, the app must see only what its own host gives it.
        const absent = HOST_VARIABLES.filter((k) => !(k in vars));
        ctx.io.stdout.write(
          `unset ${absent.join(" ")}\n${Object.entries(vars)
            .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
            .join("")}`,
        );
      }),
    );
  // Both run on this machine only: no subscription, ARM endpoint or output format applies.
  for (const cmd of [emulator, ...emulator.commands]) takesGlobalOptions(cmd, ["debug"]);
  return emulator;
}
