import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { authorizationFailed } from "./authz.js";
import { armError, type Ctx, header, type Kind, type Reply } from "./http.js";
import type { Next } from "./log.js";
import type { Router } from "./router.js";

export type FaultAction =
  | { type: "latency"; ms: number }
  | { type: "status"; status: number; code?: string; message?: string; retryAfter?: number }
  | { type: "reset" }
  | { type: "lro-failed" };

export interface Fault {
  id: string;
  match: { method?: string; path?: string; kind?: Kind };
  fault: FaultAction;
  remaining: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Returns the fault, or a one-line description of what is wrong with the input. */
export function parseFault(input: unknown): Fault | string {
  if (!isObject(input)) return "body: expected a JSON object";
  const match = input.match ?? {};
  if (!isObject(match)) return "match: expected an object";
  for (const key of ["method", "path"] as const) {
    if (match[key] !== undefined && typeof match[key] !== "string") return `match.${key}: expected a string`;
  }
  if (
    match.kind !== undefined &&
    match.kind !== "arm" &&
    match.kind !== "identity" &&
    match.kind !== "blob"
  ) {
    return 'match.kind: expected "arm", "identity" or "blob"';
  }
  const f = input.fault;
  if (!isObject(f)) return "fault: expected an object with a type";
  const count = input.count ?? 1;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1)
    return "count: expected a positive integer";
  let fault: FaultAction;
  if (f.type === "latency") {
    if (typeof f.ms !== "number" || f.ms < 0) return "fault.ms: expected a non-negative number";
    fault = { type: "latency", ms: f.ms };
  } else if (f.type === "status") {
    if (typeof f.status !== "number" || f.status < 400 || f.status > 599)
      return "fault.status: expected 400-599";
    if (f.code !== undefined && typeof f.code !== "string") return "fault.code: expected a string";
    if (f.message !== undefined && typeof f.message !== "string") return "fault.message: expected a string";
    if (f.retryAfter !== undefined && typeof f.retryAfter !== "number")
      return "fault.retryAfter: expected seconds";
    fault = { type: "status", status: f.status, code: f.code, message: f.message, retryAfter: f.retryAfter };
  } else if (f.type === "reset" || f.type === "lro-failed") {
    fault = { type: f.type };
  } else {
    return 'fault.type: expected "latency", "status", "reset" or "lro-failed"';
  }
  return {
    id: randomUUID(),
    match: {
      method: typeof match.method === "string" ? match.method.toUpperCase() : undefined,
      path: typeof match.path === "string" ? match.path : undefined,
      kind: match.kind,
    } as Fault["match"],
    fault,
    remaining: count,
  };
}

type Matched = Pick<Ctx, "method" | "path" | "kind">;

function matches(fault: Fault, ctx: Matched): boolean {
  const m = fault.match;
  if (m.method && m.method !== ctx.method) return false;
  if (m.kind && m.kind !== ctx.kind) return false;
  if (m.path && !ctx.path.toLowerCase().includes(m.path.toLowerCase())) return false;
  return true;
}

export class Faults {
  active: Fault[] = [];

  add(fault: Fault): void {
    this.active.push(fault);
  }

  clear(): void {
    this.active = [];
  }

  /** Uses up one of the first active fault matching ctx and of one of the given types. */
  take(ctx: Matched, types: FaultAction["type"][]): FaultAction | undefined {
    const fault = this.active.find((f) => types.includes(f.fault.type) && matches(f, ctx));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.active = this.active.filter((f) => f !== fault);
    return fault.fault;
  }
}

function callerOf(ctx: Ctx): string {
  const auth = header(ctx, "authorization") ?? "";
  try {
    return String(decodeJwt(auth.replace(/^Bearer\s+/i, "")).oid ?? "");
  } catch {
    return "";
  }
}

function statusReply(ctx: Ctx, router: Router, f: Extract<FaultAction, { type: "status" }>): Reply {
  const retry = f.retryAfter ?? (f.status === 429 ? 1 : undefined);
  const headers: Record<string, string> = retry !== undefined ? { "Retry-After": String(retry) } : {};
  if (ctx.kind === "identity") {
    const message = f.message ?? `The identity endpoint answered ${f.status}.`;
    return {
      status: f.status,
      body: { statusCode: f.status, message, correlationId: randomUUID() },
      headers,
    };
  }
  const sub = /^\/subscriptions\/([^/]+)/i.exec(ctx.path)?.[1] ?? "";
  const oid = callerOf(ctx);
  if (f.status === 403 && !f.code && !f.message) {
    const match = router.match(ctx.method, ctx.path);
    const action = match && match !== "method" ? (match.route.action ?? "*/read") : "*/read";
    return authorizationFailed(oid, action, ctx.path);
  }
  const defaults: Record<number, [string, string]> = {
    429: [
      "SubscriptionRequestsThrottled",
      `Number of '${ctx.method === "GET" ? "read" : "write"}' requests for subscription '${sub}' actor '${oid}' exceeded. Please try again after '${retry}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.`,
    ],
    500: [
      "InternalServerError",
      `Encountered internal server error. Diagnostic information: timestamp '${new Date().toISOString()}', subscription id '${sub}', tracking id '${randomUUID()}', request correlation id '${randomUUID()}'.`,
    ],
    503: [
      "ServiceUnavailable",
      "The server (leader) is currently unavailable. Please retry the request later.",
    ],
  };
  const [code, message] = defaults[f.status] ?? [
    "InjectedFault",
    `The emulator injected a ${f.status} response.`,
  ];
  return armError(f.status, f.code ?? code, f.message ?? message, { headers });
}

/** Applies the next matching fault before the request reaches the router. */
export function withFaults(faults: Faults, router: Router, next: Next): Next {
  return async (ctx) => {
    ctx.takeLroFailure = () => faults.take(ctx, ["lro-failed"]) !== undefined;
    const fault = faults.take(ctx, ["latency", "status", "reset"]);
    if (fault?.type === "latency") await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.type === "reset") {
      ctx.req.socket.destroy();
      return null;
    }
    if (fault?.type === "status") return statusReply(ctx, router, fault);
    return next(ctx);
  };
}
