import type { Ctx, Kind, Reply } from "./http.js";

export type Next = (ctx: Ctx) => Promise<Reply | null>;

export interface LogEntry {
  seq: number;
  time: string;
  method: string;
  /** Path only: query strings can carry identity selectors and are never recorded. */
  path: string;
  apiVersion?: string;
  status: number;
  kind: Kind;
  principalId?: string;
  /** The fault applied to this request, if any. */
  fault?: string;
  /** The handler's own status when it ran under a raw, truncate, drop, delay-after or hold fault. */
  handlerStatus?: number;
}

export class RequestLog {
  entries: LogEntry[] = [];
  private seq = 0;

  clear(): void {
    this.entries = [];
    this.seq = 0;
  }

  add(entry: Omit<LogEntry, "seq">): void {
    this.seq += 1;
    this.entries.push({ seq: this.seq, ...entry });
  }
}

/**
 * Records every ARM and identity request with the status line it got: 0 when none went out (reset,
 * drop), the real one for a truncated reply (its headers went out). A faulted request also records the
 * fault's type and, when the handler ran under it, the handler's own status.
 */
export function withRequestLog(log: RequestLog, next: Next): Next {
  return async (ctx) => {
    const time = new Date().toISOString();
    const reply = await next(ctx);
    const entry: Omit<LogEntry, "seq"> = {
      time,
      method: ctx.method,
      path: ctx.path,
      status: reply?.status ?? 0,
      kind: ctx.kind,
    };
    const apiVersion = ctx.apiVersion ?? ctx.query.get("api-version") ?? undefined;
    if (apiVersion) entry.apiVersion = apiVersion;
    if (ctx.principalId) entry.principalId = ctx.principalId;
    if (ctx.fault) entry.fault = ctx.fault.type;
    if (ctx.fault?.handlerStatus !== undefined) entry.handlerStatus = ctx.fault.handlerStatus;
    log.add(entry);
    return reply;
  };
}
