import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { armError } from "./arm/replies.js";
import type { Router } from "./arm/router.js";
import { type Ctx, header, type Kind, type Reply } from "./http.js";
import type { Next } from "./log.js";
import { authorizationFailed } from "./rbac/evaluate.js";

export type FaultAction =
  | { type: "latency"; ms: number }
  /** retryAfter: seconds for the Retry-After header; null sends none (a 429 otherwise gets 1). */
  | { type: "status"; status: number; code?: string; message?: string; retryAfter?: number | null }
  | { type: "reset" }
  | { type: "lro-failed" }
  /** This body instead of the real reply; with apply the handler runs first (its change happens). */
  | { type: "raw"; status: number; contentType?: string; body: string; apply: boolean }
  /** The handler runs; its headers go out (full Content-Length), half its body, then the socket dies. */
  | { type: "truncate" }
  /** The socket dies with no reply; with apply only after the handler ran (the write took effect). */
  | { type: "drop"; apply: boolean }
  /** The handler runs at once; its reply goes out ms later. */
  | { type: "delay-after"; ms: number }
  /** The handler runs at once; its reply waits for POST /__emulator/faults/{id}/release, or maxMs. */
  | { type: "hold"; maxMs: number };

/** Every type the request middleware applies ("lro-failed" is taken by the handler that starts an LRO). */
export const REQUEST_FAULTS: FaultAction["type"][] = [
  "latency",
  "status",
  "reset",
  "raw",
  "truncate",
  "drop",
  "delay-after",
  "hold",
];

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
  const fault = parseAction(f);
  if (typeof fault === "string") return fault;
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

function parseApply(f: Record<string, unknown>, otherwise: boolean): boolean | string {
  if (f.apply === undefined) return otherwise;
  if (typeof f.apply !== "boolean") return "fault.apply: expected true or false";
  return f.apply;
}

function parseMs(f: Record<string, unknown>): number | string {
  if (typeof f.ms !== "number" || !Number.isFinite(f.ms) || f.ms < 0 || f.ms > 600_000)
    return "fault.ms: expected milliseconds, 0 to 600000";
  return f.ms;
}

function parseAction(f: Record<string, unknown>): FaultAction | string {
  switch (f.type) {
    case "latency":
    case "delay-after": {
      const ms = parseMs(f);
      return typeof ms === "string" ? ms : { type: f.type, ms };
    }
    case "status": {
      if (typeof f.status !== "number" || !Number.isInteger(f.status) || f.status < 400 || f.status > 599)
        return "fault.status: expected 400-599";
      if (f.code !== undefined && typeof f.code !== "string") return "fault.code: expected a string";
      if (f.message !== undefined && typeof f.message !== "string") return "fault.message: expected a string";
      if (
        f.retryAfter !== undefined &&
        f.retryAfter !== null &&
        (typeof f.retryAfter !== "number" || !Number.isInteger(f.retryAfter) || f.retryAfter < 0)
      )
        return "fault.retryAfter: expected whole seconds, or null for no Retry-After header";
      return {
        type: "status",
        status: f.status,
        code: f.code,
        message: f.message,
        retryAfter: f.retryAfter as number | null | undefined,
      };
    }
    case "reset":
    case "lro-failed":
      return { type: f.type };
    case "raw": {
      const status = f.status ?? 200;
      if (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 599)
        return "fault.status: expected 200-599";
      if (typeof f.body !== "string") return 'fault.body: expected a string ("" for an empty body)';
      if (f.contentType !== undefined && (typeof f.contentType !== "string" || /[\r\n]/.test(f.contentType)))
        return "fault.contentType: expected a one-line string";
      const apply = parseApply(f, false);
      if (typeof apply === "string") return apply;
      const contentType = f.contentType ?? (f.body === "" ? undefined : "text/html");
      return { type: "raw", status, body: f.body, apply, ...(contentType ? { contentType } : {}) };
    }
    case "truncate": {
      const apply = parseApply(f, true);
      if (typeof apply === "string") return apply;
      if (!apply)
        return "fault.apply: truncate cuts the real reply, so the handler always runs; use raw for a reply to a write that did not happen";
      return { type: "truncate" };
    }
    case "drop": {
      const apply = parseApply(f, true);
      if (typeof apply === "string") return apply;
      return { type: "drop", apply };
    }
    case "hold": {
      const maxMs = f.maxMs ?? 60_000;
      if (typeof maxMs !== "number" || !Number.isInteger(maxMs) || maxMs < 1 || maxMs > 600_000)
        return "fault.maxMs: expected milliseconds, 1 to 600000";
      return { type: "hold", maxMs };
    }
    default:
      return 'fault.type: expected "latency", "status", "reset", "lro-failed", "raw", "truncate", "drop", "delay-after" or "hold"';
  }
}

type Matched = Pick<Ctx, "method" | "path" | "kind">;

function matches(fault: Fault, ctx: Matched): boolean {
  const m = fault.match;
  if (m.method && m.method !== ctx.method) return false;
  if (m.kind && m.kind !== ctx.kind) return false;
  if (m.path && !ctx.path.toLowerCase().includes(m.path.toLowerCase())) return false;
  return true;
}

/** How far a hold fault has got: replies it keeps back now, and replies it has let go. */
export interface HoldCount {
  id: string;
  match: Fault["match"];
  held: number;
  released: number;
}

interface Hold {
  id: string;
  match: Fault["match"];
  /** One function per reply kept back: it lets that reply go. */
  held: Set<() => void>;
  released: number;
  /** Control requests waiting until `count` requests have reached this fault. */
  waiters: Set<{ count: number; wake: (r: HoldCount | "cleared" | "timeout") => void }>;
}

export class Faults {
  active: Fault[] = [];
  private holds = new Map<string, Hold>();

  add(fault: Fault): void {
    this.active.push(fault);
    if (fault.fault.type === "hold") {
      this.holds.set(fault.id, {
        id: fault.id,
        match: fault.match,
        held: new Set(),
        released: 0,
        waiters: new Set(),
      });
    }
  }

  /** Forgets every fault; replies kept back go out now, and waiters hear "cleared". */
  clear(): void {
    this.active = [];
    for (const hold of this.holds.values()) {
      for (const letGo of [...hold.held]) letGo();
      for (const w of hold.waiters) w.wake("cleared");
    }
    this.holds.clear();
  }

  /** Uses up one of the first active fault matching ctx and of one of the given types. */
  take(ctx: Matched, types: FaultAction["type"][]): Fault | undefined {
    const fault = this.active.find((f) => types.includes(f.fault.type) && matches(f, ctx));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.active = this.active.filter((f) => f !== fault);
    return fault;
  }

  /** Keeps a reply back for hold fault id: resolves on release, on clear, or after maxMs. */
  keep(id: string, maxMs: number): Promise<void> {
    const hold = this.holds.get(id);
    if (!hold) return Promise.resolve();
    return new Promise((resolve) => {
      const letGo = () => {
        clearTimeout(timer);
        hold.held.delete(letGo);
        hold.released += 1;
        resolve();
      };
      const timer = setTimeout(letGo, maxMs);
      timer.unref();
      hold.held.add(letGo);
      const count = this.countOf(hold);
      for (const w of hold.waiters) if (count.held + count.released >= w.count) w.wake(count);
    });
  }

  /** Lets go every reply hold fault id keeps back; undefined when there is no such hold fault. */
  release(id: string): HoldCount | undefined {
    const hold = this.holds.get(id);
    if (!hold) return undefined;
    for (const letGo of [...hold.held]) letGo();
    return this.countOf(hold);
  }

  holdCount(id: string): HoldCount | undefined {
    const hold = this.holds.get(id);
    return hold && this.countOf(hold);
  }

  holdCounts(): HoldCount[] {
    return [...this.holds.values()].map((h) => this.countOf(h));
  }

  /**
   * Resolves once count requests have reached hold fault id (kept back now or already let go), with
   * "cleared" if the faults are cleared first, or "timeout" after timeoutMs.
   */
  whenHeld(id: string, count: number, timeoutMs: number): Promise<HoldCount | "cleared" | "timeout"> {
    const hold = this.holds.get(id);
    if (!hold) return Promise.resolve("cleared");
    const now = this.countOf(hold);
    if (now.held + now.released >= count) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiter = {
        count,
        wake: (r: HoldCount | "cleared" | "timeout") => {
          clearTimeout(timer);
          hold.waiters.delete(waiter);
          resolve(r);
        },
      };
      const timer = setTimeout(() => waiter.wake("timeout"), timeoutMs);
      hold.waiters.add(waiter);
    });
  }

  private countOf(hold: Hold): HoldCount {
    return { id: hold.id, match: hold.match, held: hold.held.size, released: hold.released };
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
  const retry = f.retryAfter === null ? undefined : (f.retryAfter ?? (f.status === 429 ? 1 : undefined));
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
      `Number of '${ctx.method === "GET" ? "read" : "write"}' requests for subscription '${sub}' actor '${oid}' exceeded. Please try again ${retry === undefined ? "later" : `after '${retry}' seconds`} after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.`,
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Applies the next matching fault around the router: before it (latency, status, reset, raw, drop
 * without apply) or after it (raw and drop with apply, truncate, delay-after, hold). Records what it
 * did in ctx.fault for the request log.
 */
export function withFaults(faults: Faults, router: Router, next: Next): Next {
  return async (ctx) => {
    ctx.takeLroFailure = () => faults.take(ctx, ["lro-failed"]) !== undefined;
    const taken = faults.take(ctx, REQUEST_FAULTS);
    if (!taken) return next(ctx);
    const fault = taken.fault;
    const record: NonNullable<Ctx["fault"]> = { type: fault.type };
    ctx.fault = record;
    const handled = async (): Promise<Reply | null> => {
      const reply = await next(ctx);
      if (reply) record.handlerStatus = reply.status;
      return reply;
    };
    switch (fault.type) {
      case "latency":
        await sleep(fault.ms);
        return next(ctx);
      case "status":
        return statusReply(ctx, router, fault);
      case "raw":
        if (fault.apply) await handled();
        return rawReply(fault);
      case "truncate": {
        const reply = await handled();
        return reply ? { ...reply, truncate: true } : null;
      }
      case "delay-after": {
        const reply = await handled();
        await sleep(fault.ms);
        return reply;
      }
      case "hold": {
        const reply = await handled();
        await faults.keep(taken.id, fault.maxMs);
        return reply;
      }
      case "drop":
        if (fault.apply) await handled();
        ctx.req.socket.destroy();
        return null;
      default:
        ctx.req.socket.destroy();
        return null;
    }
  };
}

function rawReply(f: Extract<FaultAction, { type: "raw" }>): Reply {
  return { status: f.status, raw: f.body, headers: f.contentType ? { "Content-Type": f.contentType } : {} };
}
