import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import * as v from "valibot";
import { armError } from "./arm/replies.js";
import type { Router } from "./arm/router.js";
import { type Ctx, header, type Kind, type Reply } from "./http.js";
import type { Next } from "./log.js";
import { authorizationFailed } from "./rbac/evaluate.js";
import { fields, object, parseWith, plainObject } from "./schema.js";

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
  /** Applies to every `every`-th matching request only (1: each one); the others go by untouched. */
  every: number;
  /** Matching requests seen so far (for `every`). */
  seen: number;
}

/** A whole number from min to max; message is the whole complaint. */
const whole = (min: number, max: number, message: string) =>
  v.message(v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max)), message);
const ms = v.message(
  v.pipe(v.number(), v.minValue(0), v.maxValue(600_000)),
  "expected milliseconds, 0 to 600000",
);
const apply = v.boolean("expected true or false");
const TRUNCATE_APPLY =
  "truncate cuts the real reply, so the handler always runs; use raw for a reply to a write that did not happen";

const faultAction = v.variant(
  "type",
  [
    fields({ type: v.literal("latency"), ms }),
    fields({ type: v.literal("delay-after"), ms }),
    fields({
      type: v.literal("status"),
      status: whole(400, 599, "expected 400-599"),
      code: v.optional(v.string("expected a string")),
      message: v.optional(v.string("expected a string")),
      retryAfter: v.optional(
        v.nullable(whole(0, Infinity, "expected whole seconds, or null for no Retry-After header")),
      ),
    }),
    fields({ type: v.literal("reset") }),
    fields({ type: v.literal("lro-failed") }),
    v.pipe(
      fields({
        type: v.literal("raw"),
        status: v.nullish(whole(200, 599, "expected 200-599"), 200),
        body: v.string('expected a string ("" for an empty body)'),
        contentType: v.optional(
          v.message(v.pipe(v.string(), v.regex(/^[^\r\n]*$/)), "expected a one-line string"),
        ),
        apply: v.optional(apply, false),
      }),
      v.transform(({ contentType, ...f }) => {
        const type = contentType ?? (f.body === "" ? "" : "text/html");
        return type ? { ...f, contentType: type } : f;
      }),
    ),
    v.pipe(
      fields({
        type: v.literal("truncate"),
        apply: v.optional(v.pipe(apply, v.value(true, TRUNCATE_APPLY)), true),
      }),
      v.transform(() => ({ type: "truncate" as const })),
    ),
    fields({ type: v.literal("drop"), apply: v.optional(apply, true) }),
    fields({
      type: v.literal("hold"),
      maxMs: v.nullish(whole(1, 600_000, "expected milliseconds, 1 to 600000"), 60_000),
    }),
  ],
  'expected "latency", "status", "reset", "lro-failed", "raw", "truncate", "drop", "delay-after" or "hold"',
);

const faultRequest = object(
  {
    match: v.nullish(
      object(
        {
          method: v.optional(v.pipe(v.string("expected a string"), v.toUpperCase())),
          path: v.optional(v.string("expected a string")),
          kind: v.optional(
            v.picklist(["arm", "identity", "blob", "graph"], 'expected "arm", "identity", "blob" or "graph"'),
          ),
        },
        "expected an object",
      ),
      {},
    ),
    fault: v.pipe(plainObject("expected an object with a type"), faultAction),
    count: v.nullish(whole(1, Infinity, "expected a positive integer"), 1),
    every: v.nullish(whole(1, 1_000_000, "expected a positive integer"), 1),
  },
  "expected a JSON object",
);

/** Returns the fault, or a one-line description of what is wrong with the input. */
export function parseFault(input: unknown): Fault | string {
  const parsed = parseWith(faultRequest, input, "body");
  if (!parsed.ok) return `${parsed.problem.path}: ${parsed.problem.message}`;
  const { match, fault, count, every } = parsed.value;
  return { id: randomUUID(), match, fault, remaining: count, every, seen: 0 };
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
    const fault = this.active.find((f) => {
      if (!types.includes(f.fault.type) || !matches(f, ctx)) return false;
      f.seen += 1;
      return f.seen % f.every === 0;
    });
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
