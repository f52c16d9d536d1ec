// What --assignee (and verify --principal) accept: a principal (object) ID, used as it is, or a name that
// Microsoft Graph turns into one. Pure, so that bad input is one line before any request.
//
// az role assignment create --assignee sends every value to Graph: a UPN (contains '@') to the users,
// anything else to servicePrincipals by servicePrincipalNames (which hold the appId), and a GUID that
// matched nothing is then checked as an object ID (azure-cli, role/custom.py,
// _resolve_object_id_and_type). miauth does not ask Graph about a GUID at all: a GUID is the object ID
// ARM wants (as az's --assignee-object-id, "to bypass Graph API invocation"), so the common case needs
// no directory permission; an application (client) ID is written `appId:GUID`.
import { UsageError } from "../errors.js";
import { isGuid } from "./ids.js";

export interface AssigneeLookup {
  kind: "upn" | "appId" | "displayName";
  value: string;
  /** As typed, and the flag it was given to (for messages). */
  given: string;
  flag: string;
}

export type Assignee = { kind: "objectId"; value: string } | AssigneeLookup;

const MAX_NAME = 256;
const APP_ID_PREFIX = /^appid:/i;

/** What --assignee accepts, for usage messages. */
export const ASSIGNEE_FORMS =
  "a principal (object) ID, a user principal name (user@domain), appId:GUID or a service principal's display name";

export function parseAssignee(raw: string, flag: string): Assignee {
  const value = raw.trim();
  if (value === "") throw new UsageError(`${flag} is empty: give ${ASSIGNEE_FORMS}`);
  if (isGuid(value)) return { kind: "objectId", value: value.toLowerCase() };
  if (value.length > MAX_NAME) throw new UsageError(`${flag} is longer than ${MAX_NAME} characters`);
  // Control and invisible characters never belong in a name, and would reach a terminal in messages.
  if (/\p{C}/u.test(value))
    throw new UsageError(`${flag} '${JSON.stringify(value)}' contains a control character`);
  if (APP_ID_PREFIX.test(value)) {
    const id = value.replace(APP_ID_PREFIX, "").trim();
    if (!isGuid(id))
      throw new UsageError(`${flag} '${value}': the application (client) ID after appId: is not a GUID`);
    return { kind: "appId", value: id.toLowerCase(), given: value, flag };
  }
  if (value.includes("@")) {
    // A UPN is one "local@domain": no spaces, one '@', something on each side. A guest's has '#EXT#'
    // (encoded in the URL); '/', '\\', '?' and '%' are in none.
    if (!/^[^\s@/\\?%]+@[^\s@/\\?#%]+$/.test(value))
      throw new UsageError(`${flag} '${value}' is not a user principal name (user@domain)`);
    return { kind: "upn", value, given: value, flag };
  }
  return { kind: "displayName", value, given: value, flag };
}

/** How a lookup is named in messages: "user 'ada@contoso.com'", "service principal with appId '…'". */
export function describeLookup(l: AssigneeLookup): string {
  if (l.kind === "upn") return `user '${l.value}'`;
  if (l.kind === "appId") return `service principal with appId '${l.value}'`;
  return `service principal named '${l.value}'`;
}
