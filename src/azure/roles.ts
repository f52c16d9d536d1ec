// Role definitions: list, filter and resolve what the user typed (name, GUID or ID) to one role.

import type { RoleDefinition } from "@azure/arm-authorization";
import { closest, distance } from "fastest-levenshtein";
import { MiauthError, NotFoundError, UsageError } from "../errors.js";
import type { ArmClients } from "./clients.js";
import { azureErrorCode, httpStatus, translateAzureError } from "./errors.js";
import { isGuid, pathSegments } from "./ids.js";
import { checkEveryPage, type RawReply, replyObject, unreadableReply, unusable } from "./replies.js";
import { parseScope, scopeSubscription, sdkScope } from "./scope.js";
import { hasDataActions, type Permission, permits } from "./verify/permissions.js";

/** A role definition flattened the way `az role definition list` prints it (keys in az's order). */
export interface RoleView {
  assignableScopes: string[];
  createdBy: string | null;
  createdOn: string | null;
  description: string;
  id: string;
  name: string;
  permissions: Required<Permission>[];
  roleName: string;
  roleType: string;
  type: string;
  updatedBy: string | null;
  updatedOn: string | null;
}

export function roleView(r: RoleDefinition): RoleView {
  return {
    assignableScopes: r.assignableScopes ?? [],
    createdBy: r.createdBy ?? null,
    createdOn: r.createdOn ? r.createdOn.toISOString() : null,
    description: r.description ?? "",
    id: r.id ?? "",
    name: r.name ?? "",
    permissions: (r.permissions ?? []).map((p) => ({
      actions: p.actions ?? [],
      notActions: p.notActions ?? [],
      dataActions: p.dataActions ?? [],
      notDataActions: p.notDataActions ?? [],
    })),
    roleName: r.roleName ?? "",
    roleType: r.roleType ?? "",
    type: r.type ?? "Microsoft.Authorization/roleDefinitions",
    updatedBy: r.updatedBy ?? null,
    updatedOn: r.updatedOn ? r.updatedOn.toISOString() : null,
  };
}

export interface RoleFilter {
  /** Exact roleName (case-insensitive) or GUID; sent to ARM as $filter. */
  name?: string;
  search?: string;
  customOnly?: boolean;
  builtinOnly?: boolean;
  dataAction?: string;
}

function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function authorizationSubscription(scope: string, fallback: string): string {
  return scopeSubscription(scope) ?? fallback;
}

/** Lists definitions visible at `scope`, following nextLink; `name` and custom/builtin become $filter. */
export async function listRoles(
  arm: ArmClients,
  scope: string,
  subscriptionId: string,
  f: RoleFilter = {},
  abortSignal?: AbortSignal,
): Promise<RoleView[]> {
  const client = await arm.authorization(authorizationSubscription(scope, subscriptionId));
  try {
    if (f.name !== undefined && isGuid(f.name)) {
      const role = await getRole(arm, scope, subscriptionId, f.name, abortSignal);
      return role ? filterRoles([role], f) : [];
    }
    const filter =
      f.name !== undefined
        ? `roleName eq ${odataString(f.name)}`
        : f.customOnly
          ? "type eq 'CustomRole'"
          : f.builtinOnly
            ? "type eq 'BuiltInRole'"
            : undefined;
    const out: RoleView[] = [];
    // Each page is checked: an HTML or empty 200 would otherwise read as "no such role".
    for await (const r of client.roleDefinitions.list(sdkScope(scope), {
      ...(filter ? { filter } : {}),
      abortSignal,
      onResponse: checkEveryPage,
    }))
      out.push(roleView(r));
    return filterRoles(out, f);
  } catch (err) {
    throw (
      unreadableReply(err, `GET ${scope}/providers/Microsoft.Authorization/roleDefinitions`) ??
      translateAzureError(err)
    );
  }
}

async function getRole(
  arm: ArmClients,
  scope: string,
  subscriptionId: string,
  guid: string,
  abortSignal?: AbortSignal,
): Promise<RoleView | undefined> {
  const client = await arm.authorization(authorizationSubscription(scope, subscriptionId));
  const role = await checkedRole(
    guid,
    `GET ${scope}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
    (options) => client.roleDefinitions.get(sdkScope(scope), guid, options),
    abortSignal,
  );
  return role && roleView(role);
}

type ReadOptions = { abortSignal?: AbortSignal; onResponse: (r: RawReply) => void };

/**
 * Reads one role definition; undefined on 404. A 2xx reply must be that definition (its GUID, a
 * roleName, a permissions list): an HTML or empty 200 would otherwise read as "no such role".
 */
async function checkedRole(
  guid: string,
  request: string,
  read: (options: ReadOptions) => Promise<RoleDefinition>,
  abortSignal: AbortSignal | undefined,
): Promise<RoleDefinition | undefined> {
  const seen: { reply?: RawReply } = {};
  let role: RoleDefinition | undefined;
  try {
    role = await read({
      abortSignal,
      onResponse: (r) => {
        seen.reply = r;
      },
    });
  } catch (err) {
    const status = seen.reply?.status ?? 0;
    if (status < 200 || status > 299) {
      // A missing subscription is 404 too (SubscriptionNotFound): that is not "no such role".
      if (httpStatus(err) === 404 && azureErrorCode(err) !== "SubscriptionNotFound") return undefined;
      throw unreadableReply(err, request) ?? err;
    }
  }
  if (!seen.reply) throw new MiauthError(`no reply to ${request}`);
  checkRoleBody(seen.reply, guid);
  return role;
}

function checkRoleBody(reply: RawReply, guid: string): void {
  const body = replyObject(reply);
  const id = typeof body.id === "string" ? body.id : "";
  if (roleGuid(id) !== guid.toLowerCase()) unusable(reply, "it is not the role definition asked for");
  const p = body.properties as { roleName?: unknown; permissions?: unknown } | undefined;
  if (typeof p !== "object" || p === null) unusable(reply, "it has no 'properties' object");
  if (typeof p.roleName !== "string" || p.roleName === "") unusable(reply, "it has no 'roleName'");
  if (!Array.isArray(p.permissions)) unusable(reply, "it has no 'permissions' list");
}

/** Client-side filters (pure). */
export function filterRoles(roles: RoleView[], f: RoleFilter): RoleView[] {
  const text = f.search?.toLowerCase();
  return roles.filter(
    (r) =>
      (f.name === undefined ||
        r.roleName.toLowerCase() === f.name.toLowerCase() ||
        r.name.toLowerCase() === f.name.toLowerCase()) &&
      (!f.customOnly || r.roleType === "CustomRole") &&
      (!f.builtinOnly || r.roleType === "BuiltInRole") &&
      (text === undefined ||
        r.roleName.toLowerCase().includes(text) ||
        r.description.toLowerCase().includes(text)) &&
      (f.dataAction === undefined || permits(r.permissions, f.dataAction, true)),
  );
}

export interface RoleDefinitionSummary {
  roleName: string;
  permissions: Permission[];
}

const TENANT_ROLE_ID =
  /^\/?providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i;

/** Reads role definitions by ID, each at most once per command. */
export function roleDefinitionLookup(
  arm: ArmClients,
  subscriptionId: string,
  abortSignal?: AbortSignal,
): (id: string) => Promise<RoleDefinitionSummary> {
  const cache = new Map<string, Promise<RoleDefinitionSummary>>();
  return (id) => {
    // ARM names a role in the tenant form (/providers/…/roleDefinitions/{guid}: the REST spec's
    // 2020-10-01 and 2022-04-01 examples) or the subscription form (Azure/azure-cli#27509): read the
    // tenant form under the subscription too, where the caller's roles apply (reading at "/" needs a
    // role at the tenant root).
    const at = TENANT_ROLE_ID.test(id) ? `/subscriptions/${subscriptionId}/${id.replace(/^\/+/, "")}` : id;
    const key = at.toLowerCase();
    let found = cache.get(key);
    if (!found) {
      found = arm
        .authorization(subscriptionId)
        .then((auth) =>
          checkedRole(
            roleGuid(id),
            `GET ${at}`,
            // getById puts its own "/" before the ID (see sdkScope).
            (options) => auth.roleDefinitions.getById(at.replace(/^\/+/, ""), options),
            abortSignal,
          ),
        )
        .then(
          (r) => {
            if (!r) throw new NotFoundError(`role definition '${id}' does not exist`);
            return { roleName: r.roleName ?? roleGuid(id), permissions: r.permissions ?? [] };
          },
          (err) => {
            throw translateAzureError(err);
          },
        );
      cache.set(key, found);
    }
    return found;
  };
}

export function roleGuid(roleDefinitionId: string): string {
  return (roleDefinitionId.split("/").pop() ?? "").toLowerCase();
}

/** A role name as typed: one line of printable text (custom role names are at most 512 characters). */
export function checkRoleName(value: string, flag: string): string {
  const v = value.trim();
  if (v === "") throw new UsageError(`${flag} is empty`);
  if (/[\p{Cc}\p{Cf}]/u.test(value))
    throw new UsageError(`invalid ${flag}: a role name is one line of printable text`);
  if (v.length > 512) throw new UsageError(`invalid ${flag}: a role name has at most 512 characters`);
  return v;
}

/** What the user may type for --role: a name, a GUID, or a full role definition ID. */
export function parseRoleInput(value: string): { kind: "name" | "guid" | "id"; value: string } {
  const v = checkRoleName(value, "--role");
  if (isGuid(v)) return { kind: "guid", value: v.toLowerCase() };
  if (v.startsWith("/")) {
    const bad = (why: string) =>
      new UsageError(
        `invalid --role ID '${v}': ${why}; expected [scope]/providers/Microsoft.Authorization/roleDefinitions/{guid}`,
      );
    const parts = pathSegments(v, bad);
    const [providers = "", namespace = "", type = "", guid = ""] = parts.slice(-4);
    if (
      parts.length < 4 ||
      providers.toLowerCase() !== "providers" ||
      namespace.toLowerCase() !== "microsoft.authorization" ||
      type.toLowerCase() !== "roledefinitions" ||
      !isGuid(guid)
    ) {
      throw bad("it does not end in a role definition");
    }
    // Only the GUID is sent (looked up at the assignment's scope); the prefix must still be a scope.
    if (parts.length > 4) parseScope(`/${parts.slice(0, -4).join("/")}`, "--role scope");
    return { kind: "guid", value: guid.toLowerCase() };
  }
  return { kind: "name", value: v };
}

/** Resolves --role to exactly one definition visible at the scope; unknown or ambiguous is exit 2. */
export async function resolveRole(
  arm: ArmClients,
  scope: string,
  subscriptionId: string,
  input: string,
  abortSignal?: AbortSignal,
): Promise<RoleView> {
  const wanted = parseRoleInput(input);
  if (wanted.kind === "guid") {
    const found = await listRoles(arm, scope, subscriptionId, { name: wanted.value }, abortSignal);
    if (found[0]) return found[0];
    throw new NotFoundError(`role definition '${wanted.value}' does not exist at scope '${scope}'`, {
      hint: "list the roles with: miauth roles list",
    });
  }
  const matches = await listRoles(arm, scope, subscriptionId, { name: wanted.value }, abortSignal);
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) {
    throw new UsageError(
      `role name '${wanted.value}' is ambiguous: ${matches.map((m) => `${m.roleName} (${m.roleType}, ${m.name})`).join(", ")}`,
      { hint: "pass --role with the role's GUID" },
    );
  }
  const all = await listRoles(arm, scope, subscriptionId, {}, abortSignal);
  throw new UsageError(`unknown role '${wanted.value}'`, { hint: suggestRoles(wanted.value, all) });
}

/** "did you mean" with the closest role names (edit distance, then substring matches). */
export function suggestRoles(input: string, roles: RoleView[]): string {
  const names = roles.map((r) => r.roleName);
  if (names.length === 0) return "list the roles with: miauth roles list";
  const lower = input.toLowerCase();
  const ranked = [...names].sort(
    (a, b) => distance(lower, a.toLowerCase()) - distance(lower, b.toLowerCase()),
  );
  const best = closest(
    lower,
    names.map((n) => n.toLowerCase()),
  );
  const picks = ranked.slice(0, 3);
  if (!picks.some((p) => p.toLowerCase() === best))
    picks.unshift(names.find((n) => n.toLowerCase() === best) ?? best);
  return `did you mean ${picks.map((p) => `'${p}'`).join(", ")}? (miauth roles list --search "${input.replace(/["\\$`]/g, "")}")`;
}

const PRIVILEGED = new Map([
  ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"],
  ["b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"],
  ["18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "User Access Administrator"],
  ["f58310d9-a9f6-439a-9e8d-f62e7b41a168", "Role Based Access Control Administrator"],
]);

/** Broad control-plane roles that least privilege warns about; by GUID or by exact name. */
export function isPrivilegedRole(guidOrName: string): boolean {
  const v = guidOrName.toLowerCase();
  return PRIVILEGED.has(v) || [...PRIVILEGED.values()].some((n) => n.toLowerCase() === v);
}

export const BLOB_DATA_ROLES = {
  contributor: "Storage Blob Data Contributor",
  reader: "Storage Blob Data Reader",
} as const;

export function grantsNoData(role: RoleView): boolean {
  return !hasDataActions(role.permissions);
}
