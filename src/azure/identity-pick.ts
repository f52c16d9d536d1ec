// `--identity NAME|ID`: a user-assigned identity as typed, and, with a target, which of the target's
// identities it picks. Pure (the target's identity is read by the caller), so it is table-tested.
import { UnexpectedReplyError, UsageError } from "../errors.js";
import type { WireIdentity } from "./identity-merge.js";
import { parseUserAssignedId, sameId, validateResourceGroupName, validateUserAssignedName } from "./ids.js";

/** A user-assigned identity given by full resource ID, or by name (and its group when known). */
export type IdentityRef = { id: string } | { name: string; resourceGroup?: string };

export function parseIdentityRef(value: string, flag: string, group?: string): IdentityRef {
  if (value.startsWith("/")) {
    if (group !== undefined)
      throw new UsageError(
        `${flag} is a full resource ID: it names its group, drop --identity-resource-group`,
      );
    try {
      return { id: parseUserAssignedId(value) };
    } catch {
      throw new UsageError(
        `invalid ${flag} '${value}': expected /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}`,
      );
    }
  }
  if (!validateUserAssignedName(value))
    throw new UsageError(
      `invalid ${flag} '${value}': give a user-assigned identity's name (3-128 letters, digits, '-' or '_') or its full resource ID`,
    );
  return group === undefined
    ? { name: value }
    : { name: value, resourceGroup: validateResourceGroupName(group) };
}

export function describeIdentityRef(ref: IdentityRef): string {
  return "id" in ref
    ? ref.id
    : `'${ref.name}'${ref.resourceGroup ? ` (resource group '${ref.resourceGroup}')` : ""}`;
}

function matches(ref: IdentityRef, id: string): boolean {
  if ("id" in ref) return sameId(ref.id, id);
  const m =
    /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/([^/]+)$/i.exec(
      id,
    );
  if (!m) return false;
  return (
    m[2]?.toLowerCase() === ref.name.toLowerCase() &&
    (ref.resourceGroup === undefined || m[1]?.toLowerCase() === ref.resourceGroup.toLowerCase())
  );
}

/**
 * The principal of the attached user-assigned identity `ref` names (never its client ID: role
 * assignments name principals). Not attached, or a name that fits two: exit 2, naming those attached.
 */
export function pickAttached(
  identity: WireIdentity | undefined,
  ref: IdentityRef,
  what: string,
): { id: string; principalId: string } {
  const attached = Object.entries(identity?.userAssignedIdentities ?? {});
  const found = attached.filter(([id]) => matches(ref, id));
  const names = attached.map(([id]) => id.split("/").at(-1)).join(", ");
  if (found.length !== 1) {
    throw new UsageError(
      found.length === 0
        ? `user-assigned identity ${describeIdentityRef(ref)} is not attached to ${what}${attached.length ? `; attached: ${names}` : "; it has no user-assigned identity"}`
        : `${describeIdentityRef(ref)} names more than one identity attached to ${what}: give its full resource ID`,
      {
        hint:
          found.length === 0
            ? "attach it with miauth enable … --user-assigned NAME|ID, or pick an attached one"
            : undefined,
      },
    );
  }
  const [id, details] = found[0] as [string, { principalId?: string | null } | null];
  const principalId = details?.principalId?.toLowerCase();
  if (!principalId)
    throw new UnexpectedReplyError(`ARM shows no principalId for user-assigned identity ${id} on ${what}`);
  return { id, principalId };
}
