// Role assignments: find, create idempotently under a deterministic name, and remove.

import type { RoleAssignment } from "@azure/arm-authorization";
import { v5 as uuidv5 } from "uuid";
import {
  MiauthError,
  NotFoundError,
  PermissionError,
  TimeoutError,
  UnexpectedReplyError,
  UsageError,
} from "../errors.js";
import type { ArmClients } from "./clients.js";
import { azureErrorCode, azureFailure, deadlinePassed, httpStatus, translateAzureError } from "./errors.js";
import { checkEveryPage, type RawReply, replyObject, unreadableReply } from "./replies.js";
import { type RoleView, roleDefinitionLookup, roleGuid } from "./roles.js";
import { sameScope, scopeCovers, scopeSubscription, sdkScope } from "./scope.js";

// Fixed namespace for miauth's assignment names: the same (scope, principal, role) always gets the same name.
const NAMESPACE = "6fb77ee5-b54f-486a-8138-f3b74b0d4c66";

export function assignmentName(scope: string, principalId: string, roleDefinitionGuid: string): string {
  return uuidv5(
    `${scope.toLowerCase()}|${principalId.toLowerCase()}|${roleDefinitionGuid.toLowerCase()}`,
    NAMESPACE,
  );
}

import { PRINCIPAL_TYPES, type PrincipalType } from "./principal-types.js";

export { PRINCIPAL_TYPES, type PrincipalType } from "./principal-types.js";

export interface AssignmentRequest {
  scope: string;
  role: RoleView;
  principalId: string;
  principalType: PrincipalType;
  /** Given by the user: a type ARM says is wrong is then a usage error, not a retry with ARM's type. */
  principalTypeGiven?: boolean;
  /** The subscription to talk to for scopes above one (management groups). */
  subscriptionId: string;
}

export interface AssignmentResult {
  principalId: string;
  result: "created" | "unchanged" | "would-create" | "deleted" | "would-delete" | "failed";
  roleDefinitionName: string;
  roleDefinitionId: string;
  scope: string;
  /** The assignment's principalType as ARM holds it (or would be sent, in a dry run); null when unknown. */
  principalType: string | null;
  id: string | null;
  name: string | null;
  error?: { code: string | null; message: string; exitCode: number };
}

export interface AssignOptions {
  dryRun?: boolean;
  /** How long to keep retrying PrincipalNotFound (directory replication of a new identity). */
  principalWaitMs: number;
  /** Called before each wait, to tell the user why nothing seems to happen. */
  onWait?: (message: string) => void;
  /** Called with remarks worth a line on stderr (e.g. the role is already inherited). */
  onNote?: (message: string) => void;
  abortSignal?: AbortSignal;
}

async function client(arm: ArmClients, req: { scope: string; subscriptionId: string }) {
  return arm.authorization(scopeSubscription(req.scope) ?? req.subscriptionId);
}

/** The principal's assignments at, above and below the scope (ARM's principalId filter). */
export async function listPrincipalAssignments(
  arm: ArmClients,
  scope: string,
  subscriptionId: string,
  principalId: string,
  abortSignal?: AbortSignal,
): Promise<RoleAssignment[]> {
  const auth = await client(arm, { scope, subscriptionId });
  const out: RoleAssignment[] = [];
  try {
    // Each page is checked: an HTML or empty 200 would otherwise read as "no assignments".
    for await (const a of auth.roleAssignments.listForScope(sdkScope(scope), {
      filter: `principalId eq '${principalId}'`,
      abortSignal,
      onResponse: checkEveryPage,
    })) {
      out.push(a);
    }
  } catch (err) {
    const request = `GET ${scope}/providers/Microsoft.Authorization/roleAssignments`;
    throw unreadableReply(err, request) ?? translateAzureError(err);
  }
  return out;
}

function view(
  req: AssignmentRequest,
  result: AssignmentResult["result"],
  a?: RoleAssignment,
  name?: string,
  principalType?: string,
): AssignmentResult {
  return {
    principalId: req.principalId,
    result,
    roleDefinitionName: req.role.roleName,
    roleDefinitionId: req.role.id,
    scope: req.scope,
    principalType: a?.principalType ?? principalType ?? null,
    id: a?.id ?? null,
    name: a?.name ?? name ?? null,
  };
}

function matches(a: RoleAssignment, req: AssignmentRequest): boolean {
  return (
    roleGuid(a.roleDefinitionId ?? "") === req.role.name.toLowerCase() &&
    (a.principalId ?? "").toLowerCase() === req.principalId
  );
}

export async function assignRole(
  arm: ArmClients,
  req: AssignmentRequest,
  opts: AssignOptions,
): Promise<AssignmentResult> {
  const existing = (
    await listPrincipalAssignments(arm, req.scope, req.subscriptionId, req.principalId, opts.abortSignal)
  ).filter((a) => matches(a, req));
  const here = existing.find((a) => sameScope(a.scope ?? "", req.scope));
  if (here) return view(req, "unchanged", here);
  const above = existing.find((a) => a.scope && scopeCovers(a.scope, req.scope));
  if (above)
    opts.onNote?.(`${req.principalId} already has '${req.role.roleName}' at the parent scope ${above.scope}`);

  const name = assignmentName(req.scope, req.principalId, req.role.name);
  if (opts.dryRun) return view(req, "would-create", undefined, name, req.principalType);
  const auth = await client(arm, req);
  const seen: { reply?: RawReply; inFlight?: boolean } = {};
  // The type sent; it changes at most once, to the one ARM names in UnmatchedPrincipalType.
  let principalType: string = req.principalType;
  let retyped = false;
  const put = async () => {
    seen.reply = undefined;
    seen.inFlight = true;
    const created = await auth.roleAssignments.create(
      sdkScope(req.scope),
      name,
      { roleDefinitionId: req.role.id, principalId: req.principalId, principalType },
      {
        abortSignal: opts.abortSignal,
        onResponse: (r: RawReply) => {
          seen.reply = r;
        },
      },
    );
    seen.inFlight = false;
    // An HTML or empty 200 deserialises to an empty assignment: judge the reply, not the object.
    if (seen.reply) replyObject(seen.reply);
    return created;
  };
  const create = async () => {
    try {
      return await put();
    } catch (err) {
      const real = unmatchedType(err);
      if (!real || req.principalTypeGiven || retyped || real.actual === principalType) throw err;
      // miauth sent its default (ServicePrincipal) and ARM's directory holds another type: send that.
      retyped = true;
      opts.onNote?.(
        `${req.principalId} is a ${real.actual}, not a ${principalType} (ARM: UnmatchedPrincipalType); assigning again as ${real.actual}`,
      );
      principalType = real.actual;
      return await put();
    }
  };
  const started = Date.now();
  const { default: pRetry } = await import("p-retry");
  try {
    const created = await pRetry(create, {
      retries: 100,
      minTimeout: 1000,
      factor: 2,
      maxTimeout: 15_000,
      maxRetryTime: opts.principalWaitMs,
      signal: opts.abortSignal,
      shouldRetry: (err) =>
        azureErrorCode(err) === "PrincipalNotFound" && Date.now() - started < opts.principalWaitMs,
      onFailedAttempt: (err) => {
        if (azureErrorCode(err) === "PrincipalNotFound" && Date.now() - started < opts.principalWaitMs) {
          const left = Math.max(0, Math.round((opts.principalWaitMs - (Date.now() - started)) / 1000));
          opts.onWait?.(
            `principal ${req.principalId} is not in the directory yet (PrincipalNotFound: a new identity takes a while to replicate); retrying, up to ${left}s more`,
          );
        }
      },
    });
    return view(req, "created", created, undefined, principalType);
  } catch (err) {
    const put = `PUT ${req.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    // The deadline cut the PUT off before its reply: it was sent, and there is no time left to look.
    if (deadlinePassed(opts.abortSignal) && seen.inFlight && !seen.reply) {
      throw new TimeoutError(
        `timed out waiting for the reply to ${put}: the write was sent; unknown whether it was created`,
        { cause: err, hint: "re-run to converge (assign-role is safe to repeat)" },
      );
    }
    if (mayHaveLanded(err, seen.reply)) return lookAgain(arm, req, name, err, opts);
    const code = azureErrorCode(err);
    if (code === "RoleAssignmentExists") {
      // Same principal, role and scope under another name, created between our list and our write.
      const id = /existing role assignment is ([0-9a-f]{32})/i.exec((err as Error).message ?? "")?.[1];
      return view(req, "unchanged", undefined, id ? dashed(id) : undefined);
    }
    if (code === "UnmatchedPrincipalType") {
      const real = unmatchedType(err);
      if (real && req.principalTypeGiven) {
        throw new UsageError(
          `--assignee-principal-type ${real.sent} is wrong: ARM says ${req.principalId} is a ${real.actual} (UnmatchedPrincipalType); nothing was assigned`,
          {
            azureCode: code,
            cause: err,
            hint: `pass --assignee-principal-type ${real.actual}, or leave the flag out and miauth uses the type ARM names`,
          },
        );
      }
    }
    if (code === "RoleAssignmentUpdateNotPermitted") {
      throw new MiauthError(
        `an assignment named ${name} already exists at ${req.scope} for another principal or role; ARM does not allow changing it`,
        {
          azureCode: code,
          cause: err,
          hint: `remove that assignment, then run again: az role assignment delete --ids ${req.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        },
      );
    }
    if (code === "PrincipalNotFound") {
      throw new NotFoundError(
        `principal ${req.principalId} was not found in the directory after waiting ${Math.round(opts.principalWaitMs / 1000)}s`,
        {
          azureCode: code,
          cause: err,
          hint: "use the identity's principal (object) ID, not its client (application) ID: miauth show prints principalId",
        },
      );
    }
    throw translateAzureError(err);
  }
}

/**
 * The types in ARM's UnmatchedPrincipalType, worded "The PrincipalId '…' has type 'User' , which is
 * different from specified PrinciaplType 'ServicePrincipal'." (sic: Azure/azure-dev#5814, #3992).
 * Either spelling of "PrincipalType" is read, should Azure fix the typo.
 */
export function unmatchedType(err: unknown): { actual: PrincipalType; sent: string } | undefined {
  if (azureErrorCode(err) !== "UnmatchedPrincipalType") return undefined;
  const { message = "" } = azureFailure(err);
  const m =
    /has type '([A-Za-z]+)'\s*,\s*which is different from specified Princi(?:pal|apl)Type '([A-Za-z]+)'/i.exec(
      message,
    );
  const actual = PRINCIPAL_TYPES.find((t) => t.toLowerCase() === m?.[1]?.toLowerCase());
  return actual && m?.[2] ? { actual, sent: m[2] } : undefined;
}

/** A reset, a timeout, a 5xx or an unreadable 2xx: the PUT may have created the assignment. */
function mayHaveLanded(err: unknown, reply: RawReply | undefined): boolean {
  if (err instanceof UnexpectedReplyError) return true;
  // Ctrl-C ends the run (interrupted); a deadline during a PUT in flight was reported before this.
  const name = (err as Error).name;
  if (name === "AbortError" || name === "TimeoutError" || azureErrorCode(err) === "PrincipalNotFound")
    return false;
  const status = httpStatus(err) ?? reply?.status;
  return status === undefined || status === 408 || status >= 500 || (status >= 200 && status <= 299);
}

/** After a PUT whose reply was lost or failed: list again and report what is really there. */
async function lookAgain(
  arm: ArmClients,
  req: AssignmentRequest,
  name: string,
  err: unknown,
  opts: AssignOptions,
): Promise<AssignmentResult> {
  const e = translateAzureError(err);
  const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
  const put = `PUT ${req.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
  let found: RoleAssignment | undefined;
  try {
    found = (
      await listPrincipalAssignments(arm, req.scope, req.subscriptionId, req.principalId, opts.abortSignal)
    ).find((a) => matches(a, req) && sameScope(a.scope ?? "", req.scope));
  } catch (listErr) {
    const l = translateAzureError(listErr);
    throw new MiauthError(
      `${put} failed (${why}) and the assignments could not be listed again (${(l as Error).message ?? l}): unknown whether it was created`,
      { cause: err, hint: "unknown: re-run to converge (assign-role is safe to repeat)" },
    );
  }
  if (!found) {
    throw new MiauthError(`${put} failed (${why}); listed the assignments again: it was not created`, {
      cause: err,
      hint: "nothing changed: run the command again",
    });
  }
  opts.onNote?.(`${put} failed (${why}); listed the assignments again: it was created`);
  return view(req, "created", found);
}

function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toLowerCase();
}

export async function unassignRole(
  arm: ArmClients,
  req: AssignmentRequest,
  opts: { dryRun?: boolean; abortSignal?: AbortSignal },
) {
  const here = (
    await listPrincipalAssignments(arm, req.scope, req.subscriptionId, req.principalId, opts.abortSignal)
  ).filter((a) => matches(a, req) && sameScope(a.scope ?? "", req.scope));
  if (here.length === 0) return view(req, "unchanged");
  if (opts.dryRun) return view(req, "would-delete", here[0]);
  const auth = await client(arm, req);
  try {
    for (const a of here) {
      await auth.roleAssignments.delete(sdkScope(a.scope ?? req.scope), a.name ?? "", {
        abortSignal: opts.abortSignal,
      });
    }
  } catch (err) {
    throw translateAzureError(err);
  }
  return view(req, "deleted", here[0]);
}

/** Turns a thrown error into a per-item failure, so one bad assignee does not hide the others. */
export function failedResult(req: AssignmentRequest, err: unknown): AssignmentResult {
  const e = err instanceof MiauthError ? err : (translateAzureError(err) as Error);
  return {
    ...view(req, "failed"),
    error: {
      code: (e as MiauthError).azureCode ?? null,
      message: e.message,
      exitCode: e instanceof MiauthError ? e.exitCode : 1,
    },
  };
}

export interface IdentityAssignment {
  principalId: string;
  roleName: string;
  roleDefinitionId: string;
  scope: string;
  /** True at a management group, subscription or resource group: every resource below inherits it. */
  inherited: boolean;
  condition: string | null;
  id: string;
}

/** Every assignment of the principals in the subscription (at, above and below it), with role names. */
export async function assignmentsOf(
  arm: ArmClients,
  subscriptionId: string,
  principalIds: string[],
  abortSignal?: AbortSignal,
): Promise<IdentityAssignment[]> {
  const lookup = roleDefinitionLookup(arm, subscriptionId, abortSignal);
  // A role the caller may not read (or one deleted since) still shows, by its GUID; a reply that is not
  // a role definition is an error, not a GUID.
  const roleName = (id: string) =>
    lookup(id).then(
      (r) => r.roleName,
      (err: unknown) => {
        if (err instanceof PermissionError || err instanceof NotFoundError) return roleGuid(id);
        throw err;
      },
    );
  const out: IdentityAssignment[] = [];
  for (const principalId of principalIds) {
    for (const a of await listPrincipalAssignments(
      arm,
      `/subscriptions/${subscriptionId}`,
      subscriptionId,
      principalId,
      abortSignal,
    )) {
      const scope = a.scope ?? "";
      out.push({
        principalId,
        roleName: await roleName(a.roleDefinitionId ?? ""),
        roleDefinitionId: a.roleDefinitionId ?? "",
        scope,
        inherited: !/\/providers\/(?!Microsoft\.Management\/managementGroups\/[^/]+$)/i.test(scope),
        condition: a.condition ?? null,
        id: a.id ?? "",
      });
    }
  }
  return out;
}
