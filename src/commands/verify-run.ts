// verify's action, loaded when the command runs.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { config as loadDotenv } from "dotenv";
import { parseAssignee } from "../azure/assignee.js";
import { parseBlobEndpoint } from "../azure/clouds.js";
import { parseIdentityRef } from "../azure/identity-pick.js";
import {
  parseGuid,
  parseStorageAccountId,
  validateContainerName,
  validateResourceGroupName,
  validateStorageAccountName,
} from "../azure/ids.js";
import { checkDestination } from "../azure/loopback.js";
import { hasTarget, parseTargets, TARGET_FLAGS } from "../azure/target.js";
import { exitCodeOf } from "../azure/verify/diagnosis.js";
import { runVerify } from "../azure/verify/index.js";
import type {
  Access,
  ControlPlaneInput,
  ReportStep,
  VerifyInput,
  VerifyReport,
} from "../azure/verify/types.js";
import type { Context } from "../context.js";
import { MiauthError, ReportedFailure, UsageError } from "../errors.js";
import { githubError, renderJunit } from "../output/junit.js";
import { verifySummary } from "../output/verify-summary.js";
import { resolveUami } from "./actions.js";
import { lookUpAssignees } from "./assignees.js";
import { parseDuration, prepareOutputFile } from "./shared.js";
import { ACCESS_LEVELS, type RawVerifyOptions } from "./verify.js";

const ACCESS: readonly Access[] = ACCESS_LEVELS;

export async function verifyAction(ctx: Context, raw: RawVerifyOptions): Promise<void> {
  const access = ACCESS.find((a) => a === raw.access.toLowerCase());
  if (!access) throw new UsageError(`invalid --access '${raw.access}': use read, write or readwrite`);
  const waitMs = raw.wait === undefined ? 0 : parseDuration("--wait", raw.wait);
  if (raw.timeout === undefined) ctx.setDeadline(waitMs + 120_000, "--wait plus 2m");
  const input = await parseInput(ctx, raw, access);
  // After the other flags, so that a usage error leaves no directory behind.
  if (raw.junit !== undefined) prepareOutputFile("--junit", raw.junit);
  let report: VerifyReport;
  try {
    report = await runVerify(
      {
        arm: () => ctx.arm(),
        credential: () => ctx.credential(),
        subscriptionId: () => ctx.subscriptionId(),
        blobPolicies: () => ctx.pipelinePolicies("the blob endpoint", 2, false),
      },
      input,
      { waitMs, signal: ctx.signal, onWait: (l) => ctx.warn(l), onNotice: (l) => ctx.warn(l) },
    );
  } catch (caught) {
    // An error before any report (ARM refused to show the site, say) still reaches CI; so does
    // the deadline passing. Ctrl-C does not.
    const err = ctx.timedOut ? ctx.deadlineError() : caught;
    if (!(err instanceof MiauthError) || err.exitCode === 130 || ctx.interrupt.aborted) throw err;
    const step: ReportStep = {
      name: "verify",
      status: "fail",
      ms: 0,
      code: err.azureCode ?? err.name,
      message: err.message,
      cause: err.message,
      fix: err.hint ?? null,
    };
    reportToCi(ctx, raw.junit, input.mode, [step]);
    throw err;
  }
  // On a terminal the summary is the answer; the JSON report is for pipes, files and an explicit -o/--query.
  if (!ctx.io.stdoutIsTTY || ctx.globals.outputGiven || ctx.globals.query !== undefined) ctx.print(report);
  ctx.io.stderr.write(verifySummary(report, ctx.io.paint, { columns: ctx.io.stderrColumns }));
  reportToCi(ctx, raw.junit, report.mode, report.steps);
  if (report.result === "pass") return;
  const failed = report.steps.find((s) => s.status === "fail");
  // The summary above gave each cause and fix once: the error line only names the failure.
  throw new ReportedFailure(
    report.waitExpired
      ? `verify still failing after --wait ${raw.wait}: ${failed?.name} (${failed?.code})`
      : `verify failed: ${failed?.name} (${failed?.code})`,
    exitCodeOf(report) as 1 | 3 | 4 | 5 | 6,
  );
}

async function parseInput(ctx: Context, raw: RawVerifyOptions, access: Access): Promise<VerifyInput> {
  // A user-assigned identity's resource ID as --principal: the same as --identity ID.
  if (raw.principal?.trim().startsWith("/")) {
    if (raw.identity !== undefined) throw new UsageError("give either --identity or --principal, not both");
    raw = { ...raw, identity: raw.principal.trim(), principal: undefined };
  }
  const container = raw.container === undefined ? undefined : validateContainerName(raw.container);
  const targeted = hasTarget(raw);
  if (raw.identityResourceGroup !== undefined && raw.identity === undefined)
    throw new UsageError("--identity-resource-group is for --identity given by name");
  if (targeted || raw.principal !== undefined || raw.identity !== undefined) {
    if (targeted && raw.principal !== undefined)
      throw new UsageError(`give either a target (${TARGET_FLAGS.short}) or --principal, not both`);
    if (raw.identity !== undefined && raw.principal !== undefined)
      throw new UsageError("give either --identity or --principal, not both");
    if (raw.clientId !== undefined)
      throw new UsageError(
        "--client-id is for the data plane (no target): the control plane takes --identity NAME|ID",
      );
    const identity =
      raw.identity === undefined
        ? undefined
        : parseIdentityRef(raw.identity, "--identity", raw.identityResourceGroup);
    if (identity && !targeted && "name" in identity && identity.resourceGroup === undefined) {
      if (raw.resourceGroup === undefined)
        throw new UsageError(
          `--identity '${identity.name}' is a name: give its group with --identity-resource-group (or -g), or its full resource ID`,
        );
      identity.resourceGroup = validateResourceGroupName(raw.resourceGroup);
    }
    if (raw.blobEndpoint !== undefined)
      throw new UsageError(
        "--blob-endpoint is for the data plane (no target): the control plane reads role assignments",
      );
    const targets = targeted ? parseTargets(raw) : [];
    const principal = raw.principal === undefined ? undefined : parseAssignee(raw.principal, "--principal");
    if (targets.length > 1) throw new UsageError("verify checks one identity at a time: give one --ids");
    let storage: ControlPlaneInput["storage"];
    if (raw.storageId !== undefined) {
      if (raw.account !== undefined) throw new UsageError("give either --storage-id or --account, not both");
      storage = { id: parseStorageAccountId(raw.storageId, "--storage-id") };
    } else {
      const account = validateStorageAccountName(
        raw.account ?? ctx.env.AZURE_STORAGE_ACCOUNT_NAME,
        "--account",
      );
      const group = raw.accountResourceGroup ?? raw.resourceGroup;
      if (group === undefined)
        throw new UsageError(
          "--account needs --account-resource-group (or -g) for the control plane; or use --storage-id",
        );
      storage = { account, resourceGroup: validateResourceGroupName(group) };
    }
    let principalId =
      principal === undefined || principal.kind === "objectId"
        ? principal?.value
        : (await lookUpAssignees(ctx, [principal]))[0]?.principalId;
    if (identity && !targeted) {
      const u = await resolveUami(await ctx.arm(), identity, await ctx.subscriptionId(), ctx.signal);
      ctx.verbose(`--identity ${u.name}: principal ${u.principalId} (client ID ${u.clientId})`);
      principalId = u.principalId;
    }
    return {
      mode: "control-plane",
      access,
      target: targets[0],
      identity: targeted ? identity : undefined,
      principalId,
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
  if (raw.clientId !== undefined) {
    // Exactly what AZURE_CLIENT_ID does: DefaultAzureCredential's ManagedIdentityCredential asks the
    // host's endpoint for that user-assigned identity (client_id), and the diagnosis reads it.
    process.env.AZURE_CLIENT_ID = parseGuid(raw.clientId, "--client-id");
  }
  // As the guide's app does with `import "dotenv/config"`: a .env in the working directory is read.
  loadDotenv({ path: resolve(".env"), processEnv: ctx.env as Record<string, string> });
  const account = validateStorageAccountName(raw.account ?? ctx.env.AZURE_STORAGE_ACCOUNT_NAME, "--account");
  const given =
    raw.blobEndpoint ?? ctx.env.AZURE_STORAGE_BLOB_ENDPOINT ?? ctx.env.AZURE_STORAGEBLOB_RESOURCEENDPOINT;
  const source =
    raw.blobEndpoint !== undefined
      ? "--blob-endpoint"
      : ctx.env.AZURE_STORAGE_BLOB_ENDPOINT !== undefined
        ? "AZURE_STORAGE_BLOB_ENDPOINT"
        : "AZURE_STORAGEBLOB_RESOURCEENDPOINT";
  // Without one, the endpoint the guide's app builds itself: the app's identity needs no ARM role to
  // run, so neither does verify in its place (the control plane reports ARM's primaryEndpoints.blob).
  const endpoint =
    given === undefined
      ? `https://${account}.blob.${ctx.globals.cloud.storageSuffix}`
      : parseBlobEndpoint(given, source);
  checkDestination(
    endpoint,
    ctx.globals.armEndpoint,
    `the blob endpoint, ${given === undefined ? `built from --account ${account}` : `from ${source}`}`,
    "give the emulator's blob endpoint with --blob-endpoint or AZURE_STORAGE_BLOB_ENDPOINT (its env.sh sets it)",
  );
  return { mode: "data-plane", access, account, endpoint, container };
}

/** --junit file and GitHub annotations. */
function reportToCi(ctx: Context, junit: string | undefined, mode: string, steps: ReportStep[]): void {
  if (junit) writeFileSync(junit, renderJunit("miauth verify", `miauth.verify.${mode}`, steps));
  if (ctx.env.GITHUB_ACTIONS !== "true") return;
  // The Actions runner reads workflow commands from stderr as well; stdout stays pure data.
  for (const s of steps.filter((x) => x.status === "fail")) {
    ctx.io.stderr.write(
      `${githubError(`miauth verify: ${s.name}`, `${s.code}: ${s.cause ?? s.message} Fix: ${s.fix}`)}\n`,
    );
  }
}
