// The two ways verify answers "can this identity do what the app needs on this storage account?".

import type { ControlPlaneInput, DataPlaneInput } from "../../commands/verify.js";
import type { Context } from "../../context.js";
import { readIdentity } from "../identity.js";
import { hasSystemAssigned } from "../identity-merge.js";
import { parseResourceId } from "../ids.js";
import { describeTarget, type Target } from "../target.js";
import { type Access, requiredDataSteps, runDataPlane, type Step } from "./data-plane.js";
import type { Diagnosis } from "./diagnosis.js";
import { roleFor } from "./diagnosis.js";
import { hasDataActions } from "./permissions.js";
import { accountNetworkRules, evaluateAccess, neededPermissions, rolesOnScope } from "./rbac.js";
import { diagnoseSteps, resultOf, type VerifyReport, withRequired } from "./report.js";

export interface Attempt {
  report: VerifyReport;
  first: Diagnosis | null;
}

function targetFlags(target: Target, resourceId: string): string {
  return target.fromId ? `--ids ${resourceId}` : `--${target.kind} ${target.name} -g ${target.resourceGroup}`;
}

/** The result comes from the steps the access level requires, never from the absence of failures. */
function report(
  base: Omit<VerifyReport, "result" | "attempts" | "elapsedMs" | "waitExpired">,
  required: string[],
): VerifyReport {
  return { ...base, result: resultOf(base.steps, required), attempts: 1, elapsedMs: 0, waitExpired: false };
}

export async function dataPlaneAttempt(
  ctx: Context,
  input: DataPlaneInput,
  access: Access,
): Promise<Attempt> {
  const credential = await ctx.credential();
  let cleanup: (() => Promise<void>) | undefined;
  const run = await runDataPlane(credential, {
    endpoint: input.endpoint,
    access,
    container: input.container,
    abortSignal: ctx.signal,
    onProbeCreated: (remove) => {
      cleanup = remove;
    },
    onNotice: (line) => ctx.warn(line),
    policies: ctx.pipelinePolicies("the blob endpoint", 2, false),
  }).finally(async () => {
    // Interrupted mid-probe: the blob may exist; remove it before leaving.
    if (ctx.signal.aborted && cleanup) await cleanup().catch(() => undefined);
  });
  const who = run.identity;
  const sub = who?.resourceId ? /^\/subscriptions\/([^/]+)/i.exec(who.resourceId)?.[1] : undefined;
  const scope = `/subscriptions/${sub ?? "<subscription>"}/resourceGroups/<account-group>/providers/Microsoft.Storage/storageAccounts/${input.account}`;
  const assignCommand =
    who?.objectId != null
      ? `miauth assign-role --assignee ${who.objectId} --role "${roleFor(access)}" --scope ${scope}`
      : undefined;
  const required = requiredDataSteps(access);
  const { steps, first } = diagnoseSteps(withRequired(run.steps, required), {
    account: input.account,
    access,
    assignCommand,
  });
  return {
    report: report(
      {
        mode: "data-plane",
        access,
        account: input.account,
        endpoint: input.endpoint,
        storageId: null,
        container: run.container,
        identity: who,
        steps,
        fix: first ? (steps.find((s) => s.status === "fail")?.fix ?? null) : null,
      },
      required,
    ),
    first,
  };
}

export async function controlPlaneAttempt(
  ctx: Context,
  input: ControlPlaneInput,
  access: Access,
): Promise<Attempt> {
  const arm = await ctx.arm();
  // An account given by name lives in the target's subscription: a --ids target names its own.
  const sub =
    "id" in input.storage
      ? parseResourceId(input.storage.id).subscriptionId
      : (input.target?.subscriptionId ?? (await ctx.subscriptionId()));
  const storageId =
    "id" in input.storage
      ? input.storage.id
      : `/subscriptions/${sub}/resourceGroups/${input.storage.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${input.storage.account}`;
  const account = parseResourceId(storageId);
  const steps: Step[] = [];
  const time = () => performance.now();
  const required = ["identity", ...neededPermissions(access).map((n) => n.purpose)];
  const finish = (identity: VerifyReport["identity"], fix: string): Attempt => {
    const { steps: out, first } = diagnoseSteps(withRequired(steps, required), {
      account: account.name,
      access,
      assignCommand: fix,
    });
    const r = report(
      {
        mode: "control-plane",
        access,
        account: account.name,
        endpoint: null,
        storageId,
        container: input.container ?? null,
        identity,
        steps: out,
        fix: first ? fix : null,
      },
      required,
    );
    return { report: r, first };
  };

  // 1. The identity.
  let started = time();
  let principalId = input.principalId ?? null;
  let assignee = principalId ? `--assignee ${principalId}` : "";
  if (input.target) {
    const current = await readIdentity(arm, input.target, sub, ctx.signal);
    assignee = targetFlags(input.target, current.resourceId);
    principalId = hasSystemAssigned(current.identity) ? (current.identity?.principalId ?? null) : null;
    if (!principalId) {
      steps.push({
        name: "identity",
        status: "fail",
        ms: Math.round(time() - started),
        code: "IdentityNotEnabled",
        message: `${describeTarget(input.target)} has no system-assigned managed identity`,
      });
      return finish(null, `miauth enable ${assignee}`);
    }
  }
  steps.push({
    name: "identity",
    status: "pass",
    ms: Math.round(time() - started),
    code: null,
    message: `principal ${principalId}`,
  });

  // 2. The account and its network rules (reported; they do not decide RBAC).
  started = time();
  const network = await accountNetworkRules(
    arm,
    account.subscriptionId,
    account.resourceGroup,
    account.name,
    ctx.signal,
  );
  const closed = network.publicNetworkAccess === "Disabled" || network.defaultAction === "Deny";
  steps.push({
    name: "network",
    status: closed ? "warn" : "pass",
    ms: Math.round(time() - started),
    code: closed ? "AuthorizationFailure" : null,
    message: closed
      ? `public network access is ${network.publicNetworkAccess === "Disabled" ? "disabled" : "denied by default (firewall)"}: only allowed networks or private endpoints get through`
      : "public network access allowed",
  });

  // 3. RBAC for each permission the app needs.
  const scope = input.container
    ? `${storageId}/blobServices/default/containers/${input.container}`
    : storageId;
  started = time();
  const roles = await rolesOnScope(arm, account.subscriptionId, principalId ?? "", scope, ctx.signal);
  const checks = evaluateAccess(roles, scope, neededPermissions(access));
  const noData = roles.filter((r) => !hasDataActions(r.permissions)).map((r) => r.roleName);
  const ms = Math.round(time() - started);
  for (const c of checks) {
    const by = c.grantedBy.map((g) => `${g.roleName} at ${g.scope}`).join("; ");
    const conditional = c.conditional.map((g) => `${g.roleName} at ${g.scope} if ${g.condition}`).join("; ");
    steps.push({
      name: c.purpose,
      status: c.granted ? "pass" : "fail",
      ms,
      code: c.granted ? null : "AuthorizationPermissionMismatch",
      message: c.granted
        ? `${c.permission} granted by ${by}`
        : `no role grants ${c.permission}${noData.length ? ` (${[...new Set(noData)].join(", ")} grant no blob data access)` : ""}${conditional ? `; only with a condition (not evaluated): ${conditional}` : ""}`,
    });
  }
  return finish(
    { principalId, objectId: principalId },
    `miauth assign-role ${assignee} --role "${roleFor(access)}" --scope ${storageId}`,
  );
}
