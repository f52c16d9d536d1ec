// Checks an ARM reply before miauth plans a write from it. A proxy, captive portal or gateway can
// answer 200 with an HTML page, an empty or cut-off body, or another resource; the SDK deserialises
// any of these into an object whose fields are simply undefined, which would read as "no identity"
// and lead to a PATCH that detaches user-assigned identities.
import { UnexpectedReplyError } from "../errors.js";
import { restError } from "./errors.js";
import { isKnownIdentityType, type WireIdentity } from "./identity-merge.js";

/** What the SDK's onResponse callback hands over (a PipelineResponse, structurally). */
export interface RawReply {
  status: number;
  headers: { get(name: string): string | undefined };
  bodyAsText?: string | null;
  request: { method: string; url: string };
}

/** A resource reply that passed every check: the fields miauth plans from. */
export interface CheckedResource {
  id: string;
  type: string;
  kind?: string;
  /** From the ETag header, or the body's `etag` (Compute puts it in both). */
  etag?: string;
  /** `properties.provisioningState` (VMs: Updating while an operation runs). */
  provisioningState?: string;
  identity: WireIdentity | undefined;
}

export interface ExpectedResource {
  id: string;
  /** e.g. Microsoft.Web/sites */
  type: string;
}

const HINT =
  "nothing was written from it; something between miauth and ARM (a proxy, gateway or captive portal) may be answering instead of ARM: check the network and --arm-endpoint, then run again";

/** "GET /subscriptions/…/sites/x": method and path, never the query (it can carry signed values). */
export function requestName(request: { method: string; url: string }): string {
  let path: string;
  try {
    path = new URL(request.url).pathname;
  } catch {
    path = "(unparsable URL)";
  }
  return `${request.method} ${printable(path, 300)}`;
}

/** Strips control characters and bounds the length of text taken from a reply before it is printed. */
function printable(text: string, max = 120): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isJsonContentType(value: string | undefined): boolean {
  return /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(value?.trim() ?? "");
}

/** The one error for a reply that is not usable: it names the request and says why. */
export function unusable(reply: RawReply, reason: string): never {
  throw new UnexpectedReplyError(`the reply to ${requestName(reply.request)} is not usable: ${reason}`, {
    hint: HINT,
  });
}

function failFor(reply: RawReply): (reason: string) => never {
  return (reason) => unusable(reply, reason);
}

/** Parses the body of a 2xx reply as a JSON object; throws naming the request otherwise. */
export function replyObject(reply: RawReply): Record<string, unknown> {
  const fail = failFor(reply);
  if (reply.status < 200 || reply.status > 299) fail(`status ${reply.status}`);
  const contentType = reply.headers.get("content-type");
  if (!isJsonContentType(contentType)) {
    fail(contentType ? `content type '${printable(contentType, 60)}', not JSON` : "no content type");
  }
  const text = reply.bodyAsText ?? "";
  if (text.trim() === "") fail("an empty body");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    fail("the body is not valid JSON (cut off?)");
  }
  if (!isObject(body)) fail("the body is not a JSON object");
  return body as Record<string, unknown>;
}

/** Checks that the reply is the expected resource with a well-formed identity; throws otherwise. */
export function checkResource(reply: RawReply, expected: ExpectedResource): CheckedResource {
  const body = checkResourceBody(reply, expected);
  return checkedFields(body, failFor(reply), reply.headers.get("etag"));
}

/**
 * The same checks on a resource the SDK has already parsed (a poller's result): its own ID and type,
 * a well-formed identity. Throws an Error naming the problem otherwise.
 */
export function checkResourceObject(
  body: Record<string, unknown>,
  expected: ExpectedResource,
): CheckedResource {
  const fail = (reason: string): never => {
    throw new Error(`the resource is not usable: ${reason}`);
  };
  if (typeof body.id !== "string" || body.id.toLowerCase() !== expected.id.toLowerCase())
    fail("it is not the expected resource");
  if (typeof body.type !== "string" || body.type.toLowerCase() !== expected.type.toLowerCase())
    fail("it is not of the expected type");
  return checkedFields(body, fail, undefined);
}

function checkedFields(
  body: Record<string, unknown>,
  fail: (reason: string) => never,
  etagHeader: string | undefined,
): CheckedResource {
  const id = body.id as string;
  const type = body.type as string;
  const identity = checkIdentity(body.identity, fail);
  const properties = isObject(body.properties) ? body.properties : undefined;
  const state = properties?.provisioningState;
  const etag = etagHeader ?? (typeof body.etag === "string" ? body.etag : undefined);
  const out: CheckedResource = { id, type, identity };
  if (typeof body.kind === "string") out.kind = body.kind;
  if (etag) out.etag = etag;
  if (typeof state === "string") out.provisioningState = state;
  return out;
}

/** A 2xx JSON object whose `id` and `type` are the expected resource's; throws naming the request otherwise. */
export function checkResourceBody(reply: RawReply, expected: ExpectedResource): Record<string, unknown> {
  const body = replyObject(reply);
  const fail = failFor(reply);
  const id = body.id;
  if (typeof id !== "string" || id === "") return fail("it has no resource 'id'");
  if (id.toLowerCase() !== expected.id.toLowerCase())
    return fail(`it describes another resource ('${printable(id, 300)}')`);
  const type = body.type;
  if (typeof type !== "string" || type.toLowerCase() !== expected.type.toLowerCase())
    return fail(
      typeof type === "string"
        ? `its type is '${printable(type, 80)}', not ${expected.type}`
        : "it has no resource 'type'",
    );
  return body;
}

function checkIdentity(value: unknown, fail: (reason: string) => never): WireIdentity | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) return fail("'identity' is not an object");
  const type = value.type;
  if (typeof type !== "string" || !isKnownIdentityType(type))
    return fail(
      typeof type === "string"
        ? `'identity.type' '${printable(type, 60)}' is not a known identity type`
        : "'identity' has no 'type'",
    );
  for (const key of ["principalId", "tenantId"] as const) {
    const v = value[key];
    if (v !== undefined && v !== null && typeof v !== "string")
      return fail(`'identity.${key}' is not a string`);
  }
  const users = value.userAssignedIdentities;
  const userAssigned = /userassigned/i.test(type);
  if (users === undefined || users === null) {
    // Without the map, the identities the type promises would be dropped by the next write.
    if (userAssigned)
      return fail("'identity.type' includes UserAssigned but 'userAssignedIdentities' is missing");
  } else {
    if (!isObject(users)) return fail("'identity.userAssignedIdentities' is not an object");
    for (const [key, details] of Object.entries(users)) {
      if (key === "" || (details !== null && !isObject(details)))
        return fail("'identity.userAssignedIdentities' has a malformed entry");
    }
  }
  return value as WireIdentity;
}

/** An `onResponse` for list operations: every successful page must be a checked list page. */
export function checkEveryPage(reply: RawReply): void {
  if (reply.status >= 200 && reply.status <= 299) checkListPage(reply);
}

/** Checks one page of an ARM list: a JSON object with a `value` array. */
export function checkListPage(reply: RawReply): void {
  const body = replyObject(reply);
  if (!Array.isArray(body.value)) unusable(reply, "it has no 'value' list");
}

/**
 * The SDK's own error for a reply it could not read (cut off: PARSE_ERROR with no status) or parse (a 2xx
 * whose JSON is invalid), as the same error a checked reply gives. `request` names it when the error does not.
 */
export function unreadableReply(err: unknown, request: string): UnexpectedReplyError | undefined {
  const e = restError(err);
  if (!e) return undefined;
  const status = e.statusCode;
  const success = status !== undefined && status >= 200 && status <= 299;
  if (!success && e.code !== "PARSE_ERROR") return undefined;
  const reason = /reading response/i.test(e.message)
    ? "the body was cut off before its end"
    : "the body is not valid JSON (cut off?)";
  const name = e.request ? requestName(e.request) : request;
  return new UnexpectedReplyError(`the reply to ${name} is not usable: ${reason}`, {
    hint: HINT,
    cause: err,
  });
}
