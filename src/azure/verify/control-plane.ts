// Control-plane verify: for a given identity, read its role assignments and the storage account from ARM
// and say whether Azure RBAC lets it do what the app needs (no token of the identity is ever used).
import type { ArmClients } from "../clients.js";
import { parseBlobEndpoint } from "../clouds.js";
import { readIdentity } from "../identity.js";
import { hasSystemAssigned } from "../identity-merge.js";
import { pickAttached } from "../identity-pick.js";
import { parseResourceId } from "../ids.js";
import { unusable } from "../replies.js";
import { readStorageAccount } from "../storage-account.js";
import { describeTarget, targetFlags } from "../target.js";
import { kindWarning } from "../target-kind.js";
import { buildReport, roleFor } from "./diagnosis.js";
import { hasDataActions } from "./permissions.js";
import { evaluateAccess, neededPermissions, rolesOnScope } from "./rbac.js";
import type { ControlPlaneInput, Step, VerifyReport } from "./types.js";

export interface ControlPlaneOptions {
  /** The subscription an account given by name lives in, when the target does not name one. */
  subscriptionId: () => Promise<string>;
  signal: AbortSignal;
  /** A line for stderr (a target named with the other site kind's flag). */
  onNote?: (line: string) => void;
}

export async function checkControlPlane(
  arm: ArmClients,
  input: ControlPlaneInput,
  o: ControlPlaneOptions,
): Promise<VerifyReport> {
  const { access } = input;
  // An account given by name lives in the target's subscription: a --ids target names its own.
  const sub =
    "id" in input.storage
      ? parseResourceId(input.storage.id).subscriptionId
      : (input.target?.subscriptionId ?? (await o.subscriptionId()));
  const storageId =
    "id" in input.storage
      ? input.storage.id
      : `/subscriptions/${sub}/resourceGroups/${input.storage.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${input.storage.account}`;
  const account = parseResourceId(storageId);
  const steps: Step[] = [];
  const time = () => performance.now();
  const required = ["identity", ...neededPermissions(access).map((n) => n.step)];
  // The account's blob endpoint as ARM reports it, once read: never built from its name.
  let endpoint: string | null = null;
  const finish = (identity: VerifyReport["identity"], fix: string): VerifyReport =>
    buildReport(
      {
        mode: "control-plane",
        access,
        account: account.name,
        endpoint,
        storageId,
        container: input.container ?? null,
        identity,
      },
      steps,
      required,
      fix,
    );

  // The identity's read first; the account's read and the authorization client do not depend on it:
  // start them too, so their SDK code loads and the account's request goes out while the identity's is
  // in flight. Each is awaited in its step's turn, so an identity problem is still the one reported.
  const { target } = input;
  // A target named with -g lives in the working subscription, not in the storage account's.
  const identityRead = target
    ? (async () => readIdentity(arm, target, target.subscriptionId ?? (await o.subscriptionId()), o.signal))()
    : null;
  identityRead?.catch(() => {});
  const networkRead = accountNetworkRules(
    arm,
    account.subscriptionId,
    account.resourceGroup,
    account.name,
    o.signal,
  );
  networkRead.catch(() => {});
  arm.authorization(account.subscriptionId).catch(() => {});

  // 1. The identity.
  let started = time();
  let principalId = input.principalId ?? null;
  let assignee = principalId ? `--assignee ${principalId}` : "";
  if (input.target && identityRead) {
    const current = await identityRead;
    const wrongKind = kindWarning(input.target, current.kind);
    if (wrongKind) o.onNote?.(wrongKind);
    assignee = targetFlags(input.target, current.resourceId);
    if (input.identity) {
      const picked = pickAttached(current.identity, input.identity, describeTarget(input.target));
      assignee += ` --identity ${picked.id}`;
    }
    principalId = input.identity
      ? pickAttached(current.identity, input.identity, describeTarget(input.target)).principalId
      : hasSystemAssigned(current.identity)
        ? (current.identity?.principalId ?? null)
        : null;
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
  const network = await networkRead;
  endpoint = network.blobEndpoint;
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
  const roles = await rolesOnScope(arm, account.subscriptionId, principalId ?? "", scope, o.signal);
  const checks = evaluateAccess(roles, scope, neededPermissions(access));
  const noData = roles.filter((r) => !hasDataActions(r.permissions)).map((r) => r.roleName);
  const ms = Math.round(time() - started);
  for (const c of checks) {
    const by = c.grantedBy.map((g) => `${g.roleName} at ${g.scope}`).join("; ");
    const conditional = c.conditional.map((g) => `${g.roleName} at ${g.scope} if ${g.condition}`).join("; ");
    steps.push({
      name: c.step,
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

export interface NetworkRules {
  publicNetworkAccess: string | null;
  defaultAction: string | null;
  /** properties.primaryEndpoints.blob, without its trailing slash; null when absent or not an https URL. */
  blobEndpoint: string | null;
}

/** The account's network settings, from a reply checked to be this account (an HTML 200 is not "allowed"). */
export async function accountNetworkRules(
  arm: ArmClients,
  subscriptionId: string,
  resourceGroup: string,
  account: string,
  abortSignal?: AbortSignal,
): Promise<NetworkRules> {
  const { body, reply } = await readStorageAccount(arm, subscriptionId, resourceGroup, account, abortSignal);
  const properties = body.properties;
  if (typeof properties !== "object" || properties === null || Array.isArray(properties))
    return unusable(reply, "it has no 'properties' object");
  const p = properties as {
    publicNetworkAccess?: unknown;
    networkRuleSet?: { defaultAction?: unknown };
    primaryEndpoints?: { blob?: unknown };
  };
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    publicNetworkAccess: text(p.publicNetworkAccess),
    defaultAction: text(p.networkRuleSet?.defaultAction),
    blobEndpoint: blobEndpointOf(p.primaryEndpoints?.blob),
  };
}

/** An account's primaryEndpoints.blob as a blob endpoint (clouds.ts), or null when it is not one. */
function blobEndpointOf(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    return parseBlobEndpoint(value, "primaryEndpoints.blob");
  } catch {
    return null;
  }
}
