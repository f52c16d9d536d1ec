// `miauth setup`: the guide in one idempotent run. Reads everything and plans first (identity, role
// assignment, app setting), writes only what the plan changes, in order, and ends with the control-plane
// check verify does. A step that fails stops the run: the steps before it stay done and are reported
// as done, the ones after it as skipped, and the same command run again finishes the job.
import { MiauthError } from "../../errors.js";
import { readAppSettings, type SettingsTarget, setAppSetting } from "../app-settings.js";
import type { AppSettingsOps } from "../app-settings-client.js";
import { type AssignmentResult, assignRole } from "../assignments.js";
import type { ArmClients } from "../clients.js";
import { planEnv, readTemplate, setContainerEnv } from "../container-apps.js";
import { applyChange, type IdentityResult, type PlannedChange, planChange } from "../identity.js";
import type { IdentityView } from "../identity-merge.js";
import type { IdentityRef } from "../identity-pick.js";
import { parseResourceId, sameId } from "../ids.js";
import { type RoleView, resolveRole } from "../roles.js";
import { resolveStorageScope, type StorageScope } from "../storage-scope.js";
import { describeTarget, type Target } from "../target.js";
import { createUami, getUami, type Uami, type UamiRef, uamiId } from "../uami.js";
import { runVerify } from "../verify/index.js";
import type { VerifyReport } from "../verify/types.js";

export type ScopeChoice =
  | { kind: "account" }
  | { kind: "container"; name: string }
  | { kind: "resource-group" };

export interface SetupInput {
  target: Target;
  subscriptionId: string;
  storageAccount: string;
  storageResourceGroup?: string;
  role: string;
  scope: ScopeChoice;
  /** The app setting that names the account (web and function apps); null: none is written. */
  setting: string | null;
  /** Container apps: set `setting` as an env variable in every container of the template (a new revision). */
  setEnv?: boolean;
  dryRun: boolean;
  /** How long the final check waits for the assignment to show (0: one look). */
  waitMs: number;
  /** How long to retry PrincipalNotFound for a just-created identity. */
  principalWaitMs: number;
  /**
   * --user-assigned: work with this user-assigned identity instead of the system-assigned one (created if
   * missing, attached, given the role, and named to the app by AZURE_CLIENT_ID).
   */
  userAssigned?: IdentityRef;
}

/** The setting DefaultAzureCredential reads to pick a user-assigned identity. */
export const CLIENT_ID_SETTING = "AZURE_CLIENT_ID";

export interface SetupHooks {
  signal: AbortSignal;
  warn: (line: string) => void;
  /** Shown the plan before any write; resolves false to stop there (a declined confirmation). */
  confirm: (plan: SetupPlan) => Promise<boolean>;
  timedOutText: string;
}

export type StepName = "user-assigned" | "identity" | "role" | "app-setting" | "env" | "client-id" | "verify";
export type StepResult =
  | "created"
  | "updated"
  | "unchanged"
  | "skipped"
  | "failed"
  | "passed"
  | "would-create"
  | "would-update";

export interface SetupStep {
  step: StepName;
  result: StepResult;
  /** What the step is about, in a few words (the identity type, the assignment, the setting). */
  detail: string;
  before?: unknown;
  after?: unknown;
  error?: { message: string; exitCode: number };
}

export interface SetupPlan {
  target: string;
  principalId: string | null;
  storageAccount: { id: string; name: string };
  scope: string;
  role: { name: string; id: string };
  setting: { name: string; value: string } | null;
  steps: SetupStep[];
}

export interface SetupResult extends SetupPlan {
  result: "unchanged" | "updated" | "would-change" | "failed" | "declined";
  dryRun: boolean;
  /** A VM or a container app (without --set-env) has no app settings: what its app must be given instead. */
  variables?: Record<string, string>;
}

export interface SetupClients {
  arm: ArmClients;
  appSettings: () => Promise<AppSettingsOps>;
}

const ENABLE = { system: "enable" as const, addUserAssigned: [], removeUserAssigned: [] };

function identityDetail(v: IdentityView): string {
  return `identity ${v.type}${v.principalId ? ` (principal ${v.principalId})` : ""}`;
}

function scopeOf(choice: ScopeChoice, storage: StorageScope, subscriptionId: string): string {
  if (choice.kind === "account") return storage.accountId;
  if (choice.kind === "container") return storage.scope;
  return `/subscriptions/${subscriptionId}/resourceGroups/${storage.resourceGroup}`;
}

function settingsTarget(target: Target, resourceId: string): SettingsTarget {
  return {
    resourceGroup: target.resourceGroup,
    name: target.name,
    slot: target.slot,
    id: resourceId,
    what: describeTarget(target),
  };
}

interface Planned {
  plan: SetupPlan;
  /** --user-assigned: the identity (as it is, or as it will be created). */
  uami?: { ref: UamiRef; existing?: Uami };
  identity: PlannedChange;
  role: RoleView;
  storage: StorageScope;
}

async function makePlan(c: SetupClients, input: SetupInput, h: SetupHooks): Promise<Planned> {
  const { target } = input;
  const sub = target.subscriptionId ?? input.subscriptionId;
  // The storage account first: a missing one is exit 3 before anything else is read.
  const storage = await resolveStorageScope(
    c.arm,
    sub,
    {
      account: input.storageAccount,
      resourceGroup: input.storageResourceGroup,
      container: input.scope.kind === "container" ? input.scope.name : undefined,
    },
    h.signal,
  );
  if (storage.unchecked)
    h.warn(`the container could not be checked (${storage.unchecked}): assigning at it as named`);
  const scope = scopeOf(input.scope, storage, sub);
  const ua = input.userAssigned
    ? await planUami(c.arm, input.userAssigned, target, sub, h.signal)
    : undefined;
  const change = ua
    ? { system: "keep" as const, addUserAssigned: [uamiId(ua.ref)], removeUserAssigned: [] }
    : ENABLE;
  const [identity, role] = await Promise.all([
    planChange(c.arm, target, sub, change, h.signal),
    resolveRole(c.arm, scope, sub, input.role, h.signal),
  ]);
  const principalId = ua ? (ua.existing?.principalId ?? null) : (identity.plan.before.principalId ?? null);
  const steps: SetupStep[] = [];
  if (ua)
    steps.push({
      step: "user-assigned",
      result: ua.existing ? "unchanged" : "would-create",
      detail: ua.existing
        ? `${ua.existing.name} (principal ${ua.existing.principalId}, client ID ${ua.existing.clientId})`
        : `${ua.ref.name} in resource group '${ua.ref.resourceGroup}' (in its location)`,
    });
  steps.push({
    step: "identity",
    result: identity.plan.changed ? "would-update" : "unchanged",
    detail: identityDetail(identity.plan.after),
    before: identity.plan.before,
    after: identity.plan.after,
  });
  const roleDetail = `'${role.roleName}' at ${scope}`;
  if (principalId) {
    const r = await assignRole(
      c.arm,
      { scope, role, principalId, principalType: "ServicePrincipal", subscriptionId: sub },
      { dryRun: true, principalWaitMs: 0, abortSignal: h.signal },
    );
    steps.push({
      step: "role",
      result: r.result === "unchanged" ? "unchanged" : "would-create",
      detail: roleDetail,
    });
  } else steps.push({ step: "role", result: "would-create", detail: `${roleDetail} (for the new identity)` });

  let setting: SetupPlan["setting"] = null;
  if (target.kind === "containerapp") {
    steps.push(await planContainerEnv(c, input, sub, h));
    if (input.setEnv && input.setting !== null)
      setting = { name: input.setting, value: input.storageAccount };
  } else if (target.kind !== "vm" && input.setting !== null) {
    setting = { name: input.setting, value: input.storageAccount };
    const current = await readAppSettings(
      await c.appSettings(),
      settingsTarget(target, identity.current.resourceId),
      h.signal,
    );
    const before = Object.hasOwn(current, setting.name) ? (current[setting.name] ?? null) : null;
    steps.push({
      step: "app-setting",
      result: before === setting.value ? "unchanged" : before === null ? "would-create" : "would-update",
      detail: `${setting.name}=${setting.value}`,
      before,
      after: setting.value,
    });
  } else
    steps.push({
      step: "app-setting",
      result: "skipped",
      detail:
        target.kind === "vm"
          ? "a VM has no app settings: give the app the variables below"
          : "--no-app-setting",
    });
  if (ua) {
    if (target.kind !== "vm" && target.kind !== "containerapp") {
      const current = await readAppSettings(
        await c.appSettings(),
        settingsTarget(target, identity.current.resourceId),
        h.signal,
      );
      const before = Object.hasOwn(current, CLIENT_ID_SETTING) ? (current[CLIENT_ID_SETTING] ?? null) : null;
      const value = ua.existing?.clientId;
      steps.push({
        step: "client-id",
        result:
          before !== null && before === value
            ? "unchanged"
            : before === null
              ? "would-create"
              : "would-update",
        detail: `${CLIENT_ID_SETTING}=${value ?? "(the new identity's client ID)"}`,
        before,
        after: value ?? null,
      });
    } else
      steps.push({
        step: "client-id",
        result: "skipped",
        detail: `${target.kind === "vm" ? "a VM" : "a container app"} has no app settings: give the app ${CLIENT_ID_SETTING} (below)`,
      });
  }
  steps.push({ step: "verify", result: "skipped", detail: "the control-plane check, after the changes" });
  return {
    plan: {
      target: identity.current.resourceId,
      principalId,
      storageAccount: { id: storage.accountId, name: input.storageAccount },
      scope,
      role: { name: role.roleName, id: role.id },
      setting,
      steps,
    },
    identity,
    role,
    storage,
    uami: ua,
  };
}

/** The user-assigned identity setup works with: its group defaults to the target's. */
async function planUami(
  arm: ArmClients,
  ref: IdentityRef,
  target: Target,
  sub: string,
  signal: AbortSignal,
): Promise<NonNullable<Planned["uami"]>> {
  const parts =
    "id" in ref
      ? parseResourceId(ref.id)
      : { subscriptionId: sub, resourceGroup: ref.resourceGroup ?? target.resourceGroup, name: ref.name };
  const uref = { subscriptionId: parts.subscriptionId, resourceGroup: parts.resourceGroup, name: parts.name };
  const existing = await getUami(arm, uref, signal);
  return { ref: uref, existing };
}

/**
 * A container app's settings are env variables in its template: planned only with --set-env (a change
 * makes a new revision); otherwise the result's `variables` say what to set there.
 */
async function planContainerEnv(
  c: SetupClients,
  input: SetupInput,
  sub: string,
  h: SetupHooks,
): Promise<SetupStep> {
  if (input.setting === null) return { step: "env", result: "skipped", detail: "--no-app-setting" };
  const detail = `${input.setting}=${input.storageAccount} in every container's env`;
  if (!input.setEnv)
    return {
      step: "env",
      result: "skipped",
      detail: `a container app has no app settings: set ${input.setting} in its template's env (--set-env does, making a new revision)`,
    };
  const current = await readTemplate(c.arm, input.target, sub, h.signal);
  const env = planEnv(current.containers, input.setting, input.storageAccount);
  const fresh = Object.values(env.before).every((v) => v === null);
  return {
    step: "env",
    result: !env.changed ? "unchanged" : fresh ? "would-create" : "would-update",
    detail: `${detail}${env.changed ? " (a new revision)" : ""}`,
    before: env.before,
    after: input.storageAccount,
  };
}

const changes = (steps: SetupStep[]) =>
  steps.some((s) => s.result === "would-create" || s.result === "would-update");

/** The error as a step reports it: one line and the exit code it carries. */
function stepError(err: unknown): SetupStep["error"] {
  return {
    message: err instanceof Error ? err.message : String(err),
    exitCode: err instanceof MiauthError ? err.exitCode : 1,
  };
}

/** A step failed: the result so far (done, failed, skipped) and the step's own error. */
export class SetupFailed extends Error {
  constructor(
    readonly result: SetupResult,
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

export async function runSetup(c: SetupClients, input: SetupInput, h: SetupHooks): Promise<SetupResult> {
  const p = await makePlan(c, input, h);
  const { plan } = p;
  // A VM has no app settings, and a container app's are its template's env (only with --set-env): what
  // the app must be given is said in `variables`.
  const noSettings = input.target.kind === "vm" || input.target.kind === "containerapp";
  const unset = input.target.kind === "containerapp" && !input.setEnv && input.setting !== null;
  const wanted: Record<string, string> = {};
  if (input.target.kind === "vm") wanted.AZURE_STORAGE_ACCOUNT_NAME = input.storageAccount;
  if (unset) wanted[input.setting as string] = input.storageAccount;
  if (noSettings && p.uami?.existing) wanted[CLIENT_ID_SETTING] = p.uami.existing.clientId;
  const variables = Object.keys(wanted).length > 0 || (noSettings && p.uami) ? wanted : undefined;
  // The result first, then the plan's facts and steps, as a reader scans the JSON.
  const out = (result: SetupResult["result"], fields: Partial<SetupPlan> = {}): SetupResult => ({
    result,
    dryRun: input.dryRun,
    ...plan,
    ...fields,
    ...(variables ? { variables } : {}),
  });
  if (input.dryRun) return out(changes(plan.steps) ? "would-change" : "unchanged");
  if (changes(plan.steps) && !(await h.confirm(plan))) return out("declined");

  const steps: SetupStep[] = [];
  const sub = input.target.subscriptionId ?? input.subscriptionId;
  let principalId = plan.principalId;
  const fail = (name: StepName, e: unknown): never => {
    const i = plan.steps.findIndex((x) => x.step === name);
    const failed = { ...(plan.steps[i] as SetupStep), result: "failed" as const, error: stepError(e) };
    const rest = plan.steps.slice(i + 1).map((s) => ({
      ...s,
      result: "skipped" as const,
      detail: `${s.detail} (not run: ${failed.step} failed)`,
    }));
    throw new SetupFailed(out("failed", { principalId, steps: [...steps, failed, ...rest] }), e);
  };

  // 0. --user-assigned: the identity itself, created when missing.
  let uami = p.uami?.existing;
  if (p.uami) {
    try {
      const made = uami ? undefined : await createUami(c.arm, p.uami.ref, { signal: h.signal });
      uami = made ?? uami;
      const u = uami as Uami;
      steps.push({
        step: "user-assigned",
        result: made ? "created" : "unchanged",
        detail: `${u.name} (principal ${u.principalId}, client ID ${u.clientId})`,
      });
      if (noSettings && variables) variables[CLIENT_ID_SETTING] = u.clientId;
    } catch (e) {
      fail("user-assigned", e);
    }
  }

  // 1. The system-assigned identity (or, with --user-assigned, that one), the others kept.
  try {
    const r: IdentityResult = await applyChange(c.arm, p.identity, {
      abortSignal: h.signal,
      timedOutText: h.timedOutText,
      onNote: h.warn,
    });
    principalId = uami ? uami.principalId : (r.principalId ?? null);
    if (!principalId)
      throw new MiauthError(
        `${describeTarget(input.target)} shows no system-assigned principal after the change`,
      );
    if (uami && !Object.keys(r.userAssignedIdentities ?? {}).some((k) => sameId(k, (uami as Uami).id)))
      throw new MiauthError(`${describeTarget(input.target)} does not show ${uami.id} after the change`);
    steps.push({
      step: "identity",
      result: r.result === "unchanged" ? "unchanged" : "updated",
      detail: identityDetail(r),
      before: p.identity.plan.before,
      after: {
        type: r.type,
        principalId: r.principalId,
        tenantId: r.tenantId,
        userAssignedIdentities: r.userAssignedIdentities,
      },
    });
  } catch (e) {
    fail("identity", e);
  }

  // 2. The role at the chosen scope (a new identity may take a while to reach the directory).
  let assignment: AssignmentResult | undefined;
  try {
    assignment = await assignRole(
      c.arm,
      {
        scope: plan.scope,
        role: p.role,
        principalId: principalId as string,
        principalType: "ServicePrincipal",
        subscriptionId: sub,
      },
      { principalWaitMs: input.principalWaitMs, abortSignal: h.signal, onWait: h.warn, onNote: h.warn },
    );
    if (assignment.result === "failed")
      throw new MiauthError(assignment.error?.message ?? "the role assignment failed");
    steps.push({
      step: "role",
      result: assignment.result === "unchanged" ? "unchanged" : "created",
      detail: `'${p.role.roleName}' at ${plan.scope}${assignment.id ? ` (${assignment.name})` : ""}`,
    });
  } catch (e) {
    fail("role", e);
  }

  // 3. The app setting the guide's code reads, every other setting kept (a container app: its env).
  if (plan.setting && input.target.kind === "containerapp") {
    try {
      const e = await setContainerEnv(c.arm, input.target, sub, plan.setting.name, plan.setting.value, {
        signal: h.signal,
        timedOutText: h.timedOutText,
      });
      steps.push({
        step: "env",
        result: e.result,
        detail: `${e.name}=${e.value} in every container's env${e.result === "unchanged" ? "" : ` (revision ${e.revision ?? "?"})`}`,
        before: e.before,
        after: e.value,
      });
    } catch (e) {
      fail("env", e);
    }
  } else if (plan.setting) {
    try {
      const s = await setAppSetting(
        await c.appSettings(),
        settingsTarget(input.target, plan.target),
        plan.setting.name,
        plan.setting.value,
        { signal: h.signal, warn: h.warn },
      );
      steps.push({
        step: "app-setting",
        result: s.result,
        detail: `${s.name}=${s.value}`,
        before: s.before,
        after: s.value,
      });
    } catch (e) {
      fail("app-setting", e);
    }
  } else steps.push(plan.steps.find((x) => x.step === "app-setting" || x.step === "env") as SetupStep);

  // 3b. --user-assigned: AZURE_CLIENT_ID, so that the app's DefaultAzureCredential picks that identity.
  if (uami && !noSettings) {
    try {
      const s = await setAppSetting(
        await c.appSettings(),
        settingsTarget(input.target, plan.target),
        CLIENT_ID_SETTING,
        uami.clientId,
        { signal: h.signal, warn: h.warn },
      );
      steps.push({
        step: "client-id",
        result: s.result,
        detail: `${s.name}=${s.value}`,
        before: s.before,
        after: s.value,
      });
    } catch (e) {
      fail("client-id", e);
    }
  } else if (p.uami) steps.push(plan.steps.find((x) => x.step === "client-id") as SetupStep);

  // 4. What verify's control plane says of the result.
  let report: VerifyReport | undefined;
  try {
    report = await runVerify(
      {
        arm: async () => c.arm,
        credential: () => Promise.reject(new Error("not used")),
        subscriptionId: async () => sub,
        blobPolicies: () => [],
      },
      {
        mode: "control-plane",
        // What the role is for: a reader role is checked for reading, any other for reading and writing.
        access: /reader/i.test(p.role.roleName) ? "read" : "readwrite",
        principalId: principalId as string,
        storage: { id: p.storage.accountId },
        container: input.scope.kind === "container" ? input.scope.name : undefined,
      },
      { waitMs: input.waitMs, signal: h.signal, onWait: h.warn },
    );
    if (report.result !== "pass") {
      const failed = report.steps.find((s) => s.status === "fail");
      throw new MiauthError(
        `verify (control plane): ${failed ? `${failed.name}: ${failed.code}` : "failed"}${failed?.message ? ` — ${failed.message}` : ""}`,
        {
          hint:
            input.waitMs === 0
              ? "role assignments can take a few minutes to show: run again with --wait 5m"
              : undefined,
        },
      );
    }
    steps.push({
      step: "verify",
      result: "passed",
      detail: `control plane: ${report.steps.filter((s) => s.status === "pass").length} checks passed`,
    });
  } catch (e) {
    fail("verify", e);
  }

  const wrote = steps.some((s) => s.result === "created" || s.result === "updated");
  return out(wrote ? "updated" : "unchanged", { principalId, steps });
}
