import type { IncomingMessage, ServerResponse } from "node:http";

export type Kind = "arm" | "identity" | "blob" | "graph";

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of body as JSON (a raw fault); its Content-Type, if any, is in headers. */
  raw?: string;
  /** A truncate fault: the headers with the full Content-Length, half the body, then the socket dies. */
  truncate?: boolean;
}

/** One request as the middleware and handlers see it. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path exactly as sent, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  rawBody: string;
  kind: Kind;
  params: Record<string, string>;
  apiVersion?: string;
  principalId?: string;
  /** IMDS requests: the state key of the VM whose loopback IMDS port the request came to. */
  host?: string;
  /** Set by the fault middleware; a handler starting an LRO asks whether it must fail. */
  takeLroFailure: () => boolean;
  /** Set by the fault middleware: the fault applied, and the handler's own status if it ran. */
  fault?: { type: string; handlerStatus?: number };
}

export function header(ctx: Ctx, name: string): string | undefined {
  const v = ctx.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * A truncate fault: the status and headers (with the full Content-Length), the first half of the body,
 * then the connection is destroyed. An empty body has nothing to cut: it goes out whole, with
 * `Connection: close` so that no client reuses the connection the fault was meant to break.
 */
export function sendTruncated(
  res: ServerResponse,
  status: number,
  headers: Record<string, string> | string[],
  body: Buffer,
): void {
  if (body.length === 0) {
    res.writeHead(
      status,
      Array.isArray(headers) ? [...headers, "Connection", "close"] : { ...headers, Connection: "close" },
    );
    res.end();
    return;
  }
  res.writeHead(status, headers);
  res.flushHeaders();
  const half = body.subarray(0, Math.floor(body.length / 2));
  // An empty write's callback can come before the headers reach the socket: end it after they do.
  if (half.length === 0) res.socket?.end();
  else res.write(half, () => res.destroy());
}
