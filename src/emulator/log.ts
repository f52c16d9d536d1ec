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

/** Records every ARM and identity request with the status it got (0 when the connection was reset). */
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
    log.add(entry);
    return reply;
  };
}
