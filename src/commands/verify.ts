import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import { parseBlobEndpoint } from "../azure/clouds.js";
import { formatResourceId, parseGuid, parseResourceId, validateResourceGroupName } from "../azure/ids.js";
import { parseTargets, type RawTargetOptions, type Target } from "../azure/target.js";
import { type Attempt, controlPlaneAttempt, dataPlaneAttempt } from "../azure/verify/control-plane.js";
import type { Access } from "../azure/verify/data-plane.js";
import { exitCodeOf } from "../azure/verify/report.js";
import type { Runner } from "../cli.js";
import type { Context } from "../context.js";
import { MiauthError, ReportedFailure, UsageError } from "../errors.js";
import { oneLine } from "../output/io.js";
import { githubError, renderJunit } from "../output/junit.js";
import { addTargetOptions, examples, parseDuration, prepareOutputFile } from "./shared.js";
import { timeoutOption } from "./timeout.js";

interface RawVerifyOptions extends RawTargetOptions {
  principal?: string;
  account?: string;
  accountResourceGroup?: string;
  storageId?: string;
  blobEndpoint?: string;
  container?: string;
  access: string;
  wait?: string;
  junit?: string;
  timeout?: string;
}

export interface DataPlaneInput {
  mode: "data-plane";
  account: string;
  endpoint: string;
  container?: string;
}

export interface ControlPlaneInput {
  mode: "control-plane";
  target?: Target;
  principalId?: string;
  /** Known storage account ID, or the parts to build it once the subscription is known. */
  storage: { id: string } | { account: string; resourceGroup: string };
  container?: string;
}

const ACCESS: Access[] = ["read", "write", "readwrite"];

export function verifyCommand(run: Runner): Command {
  return addTargetOptions(
    new Command("verify").description(
      "Prove an identity can reach Blob Storage: as the running app (data plane), or for a given identity from its role assignments (control plane)",
    ),
  )
    .option("--principal <objectId>", "control plane: check this principal (object) ID")
    .option("--account <name>", "storage account name (env AZURE_STORAGE_ACCOUNT_NAME)")
    .option("--account-resource-group <group>", "control plane: the account's resource group (default: -g)")
    .option("--storage-id <resourceId>", "control plane: the storage account's resource ID")
    .option("--blob-endpoint <url>", "data plane: blob endpoint (env AZURE_STORAGE_BLOB_ENDPOINT)")
    .option("--container <name>", "container to list (and to write the probe in)")
    .option("--access <level>", "read, write or readwrite: what must pass", "read")
    .option(
      "--wait <duration>",
      "retry denied steps until they pass or this time runs out (RBAC propagation)",
    )
    .option("--junit <file>", "also write a JUnit XML report")
    .addOption(timeoutOption(undefined, "by default --wait plus 2m"))
    .addHelpText(
      "after",
      examples([
        "miauth verify --account msdocsstorage --access readwrite                  # inside the app",
        "miauth verify --webapp msdocs-web -g msdocs-sdk-auth-example --account msdocsstorage   # from CI",
        "miauth verify --account msdocsstorage --container data --wait 10m --junit verify.xml",
      ]),
    )
    .action(
      run<RawVerifyOptions>(async (ctx, raw) => {
        const access = ACCESS.find((a) => a === raw.access.toLowerCase());
        if (!access) throw new UsageError(`invalid --access '${raw.access}': use read, write or readwrite`);
        const waitMs = raw.wait === undefined ? 0 : parseDuration("--wait", raw.wait);
        if (raw.timeout === undefined) ctx.setDeadline(waitMs + 120_000, "--wait plus 2m");
        const input = await parseInput(ctx, raw);
        // After the other flags, so that a usage error leaves no directory behind.
        if (raw.junit !== undefined) prepareOutputFile("--junit", raw.junit);
        // Ctrl-C must leave time to remove the probe blob.
        ctx.shutdownGraceMs = 15_000;
        const attempt: () => Promise<Attempt> =
          input.mode === "data-plane"
            ? () => dataPlaneAttempt(ctx, input, access)
            : () => controlPlaneAttempt(ctx, input, access);
        let outcome: Attempt;
        try {
          outcome = await withWait(ctx, attempt, waitMs);
        } catch (caught) {
          // An error before any report (ARM refused to show the site, say) still reaches CI; so does
          // the deadline passing. Ctrl-C does not.
          const err = ctx.timedOut ? ctx.deadlineError() : caught;
          if (!(err instanceof MiauthError) || err.exitCode === 130 || ctx.interrupt.aborted) throw err;
          const code = err.azureCode ?? err.name;
          reportToCi(ctx, raw.junit, input.mode, [
            {
              name: "verify",
              status: "fail",
              ms: 0,
              code,
              message: err.message,
              cause: err.message,
              fix: err.hint ?? null,
            },
          ]);
          throw err;
        }
        const { report, first } = outcome;
        ctx.print(report);
        summarize(ctx, report);
        reportToCi(ctx, raw.junit, report.mode, report.steps);
        if (report.result === "pass") return;
        const failed = report.steps.find((s) => s.status === "fail");
        throw new ReportedFailure(
          report.waitExpired
            ? `verify still failing after --wait ${raw.wait}: ${failed?.name} (${failed?.code})`
            : `verify failed: ${failed?.name} (${failed?.code}): ${failed?.cause ?? failed?.message}`,
          exitCodeOf(report, first) as 1 | 3 | 4 | 5 | 6,
          { hint: report.fix ?? failed?.fix ?? undefined },
        );
      }),
    );
}

async function parseInput(ctx: Context, raw: RawVerifyOptions): Promise<DataPlaneInput | ControlPlaneInput> {
  const container = raw.container === undefined ? undefined : validateContainer(raw.container);
  const hasTarget =
    raw.webapp !== undefined ||
    raw.functionapp !== undefined ||
    raw.vm !== undefined ||
    (raw.ids ?? []).length > 0;
  if (hasTarget || raw.principal !== undefined) {
    if (hasTarget && raw.principal !== undefined)
      throw new UsageError(
        "give either a target (--webapp/--functionapp/--vm/--ids) or --principal, not both",
      );
    if (raw.blobEndpoint !== undefined)
      throw new UsageError(
        "--blob-endpoint is for the data plane (no target): the control plane reads role assignments",
      );
    const targets = hasTarget ? parseTargets(raw) : [];
    if (targets.length > 1) throw new UsageError("verify checks one identity at a time: give one --ids");
    let storage: ControlPlaneInput["storage"];
    if (raw.storageId !== undefined) {
      if (raw.account !== undefined) throw new UsageError("give either --storage-id or --account, not both");
      const id = parseResourceId(raw.storageId, "--storage-id");
      if (`${id.provider}/${id.type}`.toLowerCase() !== "microsoft.storage/storageaccounts") {
        throw new UsageError(
          `--storage-id must be a Microsoft.Storage/storageAccounts ID, got ${id.provider}/${id.type}`,
        );
      }
      validateAccount(id.name, "--storage-id");
      storage = { id: formatResourceId(id) };
    } else {
      const account = validateAccount(raw.account ?? ctx.env.AZURE_STORAGE_ACCOUNT_NAME, "--account");
      const group = raw.accountResourceGroup ?? raw.resourceGroup;
      if (group === undefined)
        throw new UsageError(
          "--account needs --account-resource-group (or -g) for the control plane; or use --storage-id",
        );
      storage = { account, resourceGroup: validateResourceGroupName(group) };
    }
    return {
      mode: "control-plane",
      target: targets[0],
      principalId: raw.principal === undefined ? undefined : parseGuid(raw.principal, "--principal"),
      storage,
      container,
    };
  }
  if (
    raw.storageId !== undefined ||
    raw.accountResourceGroup !== undefined ||
    raw.resourceGroup !== undefined
  ) {
    throw new UsageError(
      "--storage-id and -g need an identity to check: add --webapp/--functionapp/--vm, --ids or --principal",
    );
  }
  // As the guide's app does with `import "dotenv/config"`: a .env in the working directory is read.
  const { config } = await import("dotenv");
  config({ path: resolve(".env"), processEnv: ctx.env as Record<string, string> });
  const account = validateAccount(raw.account ?? ctx.env.AZURE_STORAGE_ACCOUNT_NAME, "--account");
  const given =
    raw.blobEndpoint ?? ctx.env.AZURE_STORAGE_BLOB_ENDPOINT ?? ctx.env.AZURE_STORAGEBLOB_RESOURCEENDPOINT;
  const source =
    raw.blobEndpoint !== undefined
      ? "--blob-endpoint"
      : ctx.env.AZURE_STORAGE_BLOB_ENDPOINT !== undefined
        ? "AZURE_STORAGE_BLOB_ENDPOINT"
        : "AZURE_STORAGEBLOB_RESOURCEENDPOINT";
  const endpoint =
    given === undefined
      ? `https://${account}.blob.${ctx.globals.cloud.storageSuffix}`
      : parseBlobEndpoint(given, source);
  return { mode: "data-plane", account, endpoint, container };
}

/** --junit file and GitHub annotations. */
function reportToCi(
  ctx: Context,
  junit: string | undefined,
  mode: string,
  steps: Attempt["report"]["steps"],
): void {
  if (junit) writeFileSync(junit, renderJunit("miauth verify", `miauth.verify.${mode}`, steps));
  if (ctx.env.GITHUB_ACTIONS !== "true") return;
  // The Actions runner reads workflow commands from stderr as well; stdout stays pure data.
  for (const s of steps.filter((x) => x.status === "fail")) {
    ctx.io.stderr.write(
      `${githubError(`miauth verify: ${s.name}`, `${s.code}: ${s.cause ?? s.message} Fix: ${s.fix}`)}\n`,
    );
  }
}

function validateAccount(name: string | undefined, flag: string): string {
  if (name === undefined || name === "")
    throw new UsageError(`no storage account: use ${flag} NAME or set AZURE_STORAGE_ACCOUNT_NAME`);
  if (!/^[a-z0-9]{3,24}$/.test(name))
    throw new UsageError(`invalid storage account name '${name}': use 3-24 lowercase letters and digits`);
  return name;
}

function validateContainer(name: string): string {
  if (!/^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/.test(name) && name !== "$root") {
    throw new UsageError(
      `invalid --container '${name}': use 3-63 lowercase letters, digits and single hyphens`,
    );
  }
  return name;
}

/** Runs the attempt, then again with backoff while it fails only on denials that waiting can fix. */
async function withWait(ctx: Context, attempt: () => Promise<Attempt>, waitMs: number): Promise<Attempt> {
  const started = Date.now();
  let attempts = 0;
  for (;;) {
    attempts++;
    const result = await attempt();
    result.report.attempts = attempts;
    result.report.elapsedMs = Date.now() - started;
    const left = waitMs - (Date.now() - started);
    if (result.report.result === "pass" || !result.first?.retryable || waitMs === 0) return result;
    if (left <= 0) {
      result.report.waitExpired = true;
      return result;
    }
    const delay = Math.min(left, Math.min(500 * 1.5 ** (attempts - 1), 5000));
    const failed = result.report.steps.find((s) => s.status === "fail");
    ctx.warn(
      `${failed?.name}: ${failed?.code}; role assignments can take minutes to reach the data plane: retrying in ${(delay / 1000).toFixed(1)}s (${Math.ceil(left / 1000)}s left)`,
    );
    await sleep(delay, undefined, { signal: ctx.signal });
  }
}

function summarize(ctx: Context, report: Attempt["report"]): void {
  const p = ctx.io.paint;
  const who = report.identity;
  // Messages, causes and fixes carry server text: escaped, so it cannot drive the terminal.
  const lines = [
    oneLine(
      `verify (${report.mode}, ${report.access}) on ${report.account}${who?.objectId ? ` as ${who.credential ?? "principal"} ${who.objectId}${who.resourceId ? ` (${who.resourceId})` : ""}` : ""}`,
    ),
  ];
  for (const s of report.steps) {
    const mark =
      s.status === "pass"
        ? p.dim("ok  ")
        : s.status === "fail"
          ? p.err("FAIL")
          : s.status === "warn"
            ? p.warn("warn")
            : p.dim("skip");
    lines.push(
      `  ${mark} ${oneLine(`${s.name.padEnd(18)} ${s.status === "fail" || s.status === "warn" ? `${s.code}: ` : ""}${s.message ?? ""}${s.ms ? ` (${s.ms} ms)` : ""}`)}`,
    );
    if (s.cause) lines.push(`       cause: ${oneLine(s.cause)}`);
    if (s.fix) lines.push(`       fix:   ${oneLine(s.fix)}`);
  }
  lines.push(
    `result: ${report.result === "pass" ? "PASS" : "FAIL"}${report.attempts > 1 ? ` after ${report.attempts} attempts, ${(report.elapsedMs / 1000).toFixed(1)}s` : ""}`,
  );
  ctx.io.stderr.write(`${lines.join("\n")}\n`);
}
