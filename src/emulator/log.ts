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
  /**
   * Which connection to the emulator's HTTPS server carried it (ARM, Graph, identity): 1 for the first,
   * and so on; a client that reuses a connection repeats its number.
   */
  connection?: number;
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
  const connections = new WeakMap<object, number>();
  let opened = 0;
  const connectionOf = (socket: object): number => {
    let n = connections.get(socket);
    if (n === undefined) {
      n = ++opened;
      connections.set(socket, n);
    }
    return n;
  };
  return async (ctx) => {
    const time = new Date().toISOString();
    const reply = await next(ctx);
    const entry: Omit<LogEntry, "seq"> = {
      time,
      method: ctx.method,
      path: ctx.path,
      status: reply?.status ?? 0,
      kind: ctx.kind,
      connection: connectionOf(ctx.req.socket),
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
