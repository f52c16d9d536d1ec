// The blob data plane's front door: Storage's firewall, authentication and RBAC, in front of Azurite,
// which checks a token's shape but grants every well-formed one full access.

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent, createServer, request, type Server } from "node:https";
import type { Certificates } from "../certs.js";
import { type FaultAction, type Faults, REQUEST_FAULTS } from "../faults.js";
import { sendTruncated } from "../http.js";
import type { RequestLog } from "../log.js";
import { isDataPlaneAuthorized } from "../rbac/evaluate.js";
import { type State, storageAccountNamed } from "../state.js";
import type { JwtService } from "../tokens/jwt.js";
import { blobTarget, requiredPermissions } from "./permissions.js";

export interface GateDeps {
  state: State;
  jwt: JwtService;
  log: RequestLog;
  faults: Faults;
  azurite: { url: string; ca: string };
}

interface StorageError {
  status: number;
  code: string;
  message: string;
  detail?: string;
  headers?: Record<string, string>;
}

const AUTH_FAILED = "Server failed to authenticate the request.";
const SEE_CHALLENGE = `${AUTH_FAILED} Please refer to the information in the www-authenticate header.`;

/** Storage's own time format in error messages: seven fractional digits. */
const storageTime = () => new Date().toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");

const xmlEscape = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** A reply held whole, for the faults that replace, cut or delay it. */
interface Held {
  status: number;
  /** Flat [name, value, …] pairs. */
  headers: string[];
  body: Buffer;
}

function errorReply(req: IncomingMessage, e: StorageError): Held {
  const requestId = randomUUID();
  const detail = e.detail
    ? `<AuthenticationErrorDetail>${xmlEscape(e.detail)}</AuthenticationErrorDetail>`
    : "";
  const text = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${e.code}</Code><Message>${xmlEscape(e.message)}\nRequestId:${requestId}\nTime:${storageTime()}</Message>${detail}</Error>`;
  const body = Buffer.from(req.method === "HEAD" ? "" : text);
  const headers: Record<string, string> = {
    "Content-Length": String(Buffer.byteLength(text)),
    "Content-Type": "application/xml",
    Server: "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0",
    "x-ms-request-id": requestId,
    "x-ms-error-code": e.code,
    Date: new Date().toUTCString(),
    ...e.headers,
  };
  const version = req.headers["x-ms-version"];
  if (typeof version === "string") headers["x-ms-version"] = version;
  const clientRequestId = req.headers["x-ms-client-request-id"];
  if (typeof clientRequestId === "string") headers["x-ms-client-request-id"] = clientRequestId;
  return { status: e.status, headers: Object.entries(headers).flat(), body };
}

function sendHeld(res: ServerResponse, held: Held): void {
  res.writeHead(held.status, held.headers);
  res.end(held.body);
}

function sendError(req: IncomingMessage, res: ServerResponse, e: StorageError): void {
  req.resume();
  sendHeld(res, errorReply(req, e));
}

function challenge(tenantId: string): Record<string, string> {
  return {
    "WWW-Authenticate": `Bearer authorization_uri=https://login.microsoftonline.com/${tenantId}/oauth2/authorize resource_id=https://storage.azure.com`,
  };
}

function audienceFits(aud: unknown, account: string): boolean {
  if (typeof aud !== "string") return false;
  const a = aud.replace(/\/$/, "").toLowerCase();
  return a === "https://storage.azure.com" || a === `https://${account}.blob.core.windows.net`;
}

/** Authenticates the caller: its object ID, or the 401/403 Storage answers. */
async function authenticate(
  req: IncomingMessage,
  query: URLSearchParams,
  deps: GateDeps,
  account: string,
): Promise<string | StorageError> {
  const tenant = deps.state.tenantId;
  const auth = req.headers.authorization;
  const unauthenticated = (code: string, detail?: string): StorageError => ({
    status: 401,
    code,
    message: SEE_CHALLENGE,
    detail,
    headers: challenge(tenant),
  });
  if (auth === undefined || auth.trim() === "") {
    if (!query.has("sig")) return unauthenticated("NoAuthenticationInformation");
    return {
      status: 403,
      code: "AuthenticationFailed",
      message: `${AUTH_FAILED} Make sure the value of Authorization header is formed correctly including the signature.`,
      detail: "The emulator's blob gate accepts bearer tokens only: no SAS is valid here.",
    };
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m?.[1]) {
    return {
      status: 403,
      code: "AuthenticationFailed",
      message: `${AUTH_FAILED} Make sure the value of Authorization header is formed correctly including the signature.`,
      detail: "The emulator's blob gate accepts bearer tokens only: no account key is valid here.",
    };
  }
  const result = await deps.jwt.verify(m[1]);
  if (!result.ok && result.reason === "expired") {
    return unauthenticated("InvalidAuthenticationInfo", "Lifetime validation failed. The token is expired.");
  }
  if (!result.ok) {
    return unauthenticated(
      "InvalidAuthenticationInfo",
      "Signature validation failed. Signature verification failed.",
    );
  }
  if (!audienceFits(result.claims.aud, account)) {
    return unauthenticated(
      "InvalidAuthenticationInfo",
      "Audience validation failed. Audience did not match.",
    );
  }
  return String(result.claims.oid ?? "");
}

interface Decision {
  principalId?: string;
  error?: StorageError;
}

async function decide(
  req: IncomingMessage,
  path: string,
  query: URLSearchParams,
  deps: GateDeps,
): Promise<Decision> {
  const method = (req.method ?? "GET").toUpperCase();
  const target = blobTarget(path, query);
  if (!target) {
    return {
      error: {
        status: 400,
        code: "InvalidUri",
        message: "The requested URI does not represent any resource on the server.",
      },
    };
  }
  const account = storageAccountNamed(deps.state, target.account);
  // What Azurite answers for an account it does not know (in Azure the host name would not resolve).
  if (!account)
    return {
      error: { status: 404, code: "ResourceNotFound", message: "The specified resource does not exist." },
    };
  if (account.publicNetworkAccess === "Disabled") {
    return {
      error: {
        status: 403,
        code: "AuthorizationFailure",
        message: "This request is not authorized to perform this operation.",
      },
    };
  }
  const caller = await authenticate(req, query, deps, account.name);
  if (typeof caller !== "string") return { error: caller };
  const anyOf = requiredPermissions(method, target, query, req.headers["if-none-match"]);
  const scope =
    target.container === undefined
      ? account.id
      : `${account.id}/blobServices/default/containers/${target.container}`;
  if (!isDataPlaneAuthorized(deps.state, caller, anyOf, scope)) {
    return {
      principalId: caller,
      error: {
        status: 403,
        code: "AuthorizationPermissionMismatch",
        message: "This request is not authorized to perform this operation using this permission.",
      },
    };
  }
  return { principalId: caller };
}

const FAULT_ERRORS: Record<number, [string, string]> = {
  403: [
    "AuthorizationPermissionMismatch",
    "This request is not authorized to perform this operation using this permission.",
  ],
  500: ["InternalError", "The server encountered an internal error. Please retry the request."],
  503: ["ServerBusy", "The server is currently unable to receive requests. Please retry your request."],
};

function rawHeld(f: Extract<FaultAction, { type: "raw" }>): Held {
  const body = Buffer.from(f.body);
  const headers = ["Content-Length", String(body.length), "x-ms-request-id", randomUUID()];
  if (f.contentType) headers.push("Content-Type", f.contentType);
  return { status: f.status, headers, body };
}

/** The held reply's headers with Content-Length set to its whole body (no chunked encoding). */
function withLength(held: Held): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < held.headers.length; i += 2) {
    const name = held.headers[i] ?? "";
    if (/^(content-length|transfer-encoding|connection|keep-alive)$/i.test(name)) continue;
    out.push(name, held.headers[i + 1] ?? "");
  }
  out.push("Content-Length", String(held.body.length));
  return out;
}

/** Forwards the request to Azurite and reads its whole reply. */
function forwardHeld(req: IncomingMessage, path: string, upstream: URL, agent: Agent): Promise<Held> {
  return new Promise((resolve, reject) => {
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers, agent },
      (up) => {
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () =>
          resolve({ status: up.statusCode ?? 502, headers: up.rawHeaders, body: Buffer.concat(chunks) }),
        );
        up.on("error", reject);
      },
    );
    forward.on("error", reject);
    req.pipe(forward);
  });
}

export function createBlobGate(certs: Certificates, deps: GateDeps): { server: Server; agent: Agent } {
  const agent = new Agent({ keepAlive: true, ca: deps.azurite.ca });
  const upstream = new URL(deps.azurite.url);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const path = q === -1 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q === -1 ? "" : raw.slice(q + 1));
    const method = (req.method ?? "GET").toUpperCase();
    const entry = { time: new Date().toISOString(), method, path, kind: "blob" as const };
    const version = req.headers["x-ms-version"];
    let fault: FaultAction | undefined;
    let handlerStatus: number | undefined;
    const logged = (status: number, principalId?: string) =>
      deps.log.add({
        ...entry,
        status,
        ...(typeof version === "string" ? { apiVersion: version } : {}),
        ...(principalId ? { principalId } : {}),
        ...(fault ? { fault: fault.type } : {}),
        ...(handlerStatus !== undefined ? { handlerStatus } : {}),
      });

    const taken = deps.faults.take({ method, path, kind: "blob" }, REQUEST_FAULTS);
    fault = taken?.fault;
    if (fault?.type === "latency") await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.type === "reset" || (fault?.type === "drop" && !fault.apply)) {
      req.socket.destroy();
      logged(0);
      return;
    }
    if (fault?.type === "status") {
      const [code, message] = FAULT_ERRORS[fault.status] ?? [
        "InjectedFault",
        `The emulator injected a ${fault.status} response.`,
      ];
      const retry =
        typeof fault.retryAfter === "number" ? { "Retry-After": String(fault.retryAfter) } : undefined;
      sendError(req, res, {
        status: fault.status,
        code: fault.code ?? code,
        message: fault.message ?? message,
        headers: retry,
      });
      logged(fault.status);
      return;
    }
    if (fault?.type === "raw" && !fault.apply) {
      req.resume();
      sendHeld(res, rawHeld(fault));
      logged(fault.status);
      return;
    }

    const { principalId, error } = await decide(req, path, query, deps);
    const after =
      fault?.type === "raw" ||
      fault?.type === "truncate" ||
      fault?.type === "drop" ||
      fault?.type === "delay-after" ||
      fault?.type === "hold"
        ? fault
        : undefined;
    if (after) {
      // The gate and Azurite act now; the fault then decides what, if anything, the client gets.
      if (error) req.resume();
      const held = error
        ? errorReply(req, error)
        : await forwardHeld(req, raw, upstream, agent).catch((e: Error) =>
            errorReply(req, {
              status: 500,
              code: "InternalError",
              message: `The emulator cannot reach Azurite: ${e.message}`,
            }),
          );
      handlerStatus = held.status;
      if (after.type === "raw") {
        sendHeld(res, rawHeld(after));
        logged(after.status, principalId);
      } else if (after.type === "drop") {
        req.socket.destroy();
        logged(0, principalId);
      } else if (after.type === "truncate") {
        sendTruncated(res, held.status, withLength(held), held.body);
        logged(held.status, principalId);
      } else {
        if (after.type === "hold") await deps.faults.keep(taken?.id ?? "", after.maxMs);
        else await new Promise((r) => setTimeout(r, after.ms));
        res.writeHead(held.status, withLength(held));
        res.end(held.body);
        logged(held.status, principalId);
      }
      return;
    }
    if (error) {
      sendError(req, res, error);
      logged(error.status, principalId);
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method, path: raw, headers: req.headers, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
        up.pipe(res);
        logged(up.statusCode ?? 0, principalId);
      },
    );
    forward.on("error", (e) => {
      if (res.headersSent) return res.destroy();
      sendError(req, res, {
        status: 500,
        code: "InternalError",
        message: `The emulator cannot reach Azurite: ${e.message}`,
      });
      logged(500, principalId);
    });
    req.pipe(forward);
  };

  const server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) return res.destroy();
      const message = e instanceof Error ? e.message : String(e);
      sendError(req, res, { status: 500, code: "InternalError", message: `Emulator error: ${message}` });
    });
  });
  return { server, agent };
}
