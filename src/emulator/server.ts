import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { handleArm } from "./arm/front-door.js";
import { Router } from "./arm/router.js";
import type { Certificates } from "./certs.js";
import { type ControlDeps, handleControl } from "./control.js";
import { Faults, withFaults } from "./faults.js";
import { handleGraph } from "./graph/graph.js";
import { type Ctx, header, type Reply, readBody, sendTruncated } from "./http.js";
import { RequestLog, withRequestLog } from "./log.js";
import { authorizationRoutes } from "./providers/authorization.js";
import { computeRoutes } from "./providers/compute.js";
import { containerAppsRoutes } from "./providers/container-apps.js";
import { federatedCredentialRoutes } from "./providers/federated-credentials.js";
import { listRoutes } from "./providers/lists.js";
import { managedIdentityRoutes } from "./providers/managed-identity.js";
import { resourceRoutes } from "./providers/resources.js";
import { storageRoutes } from "./providers/storage.js";
import { webRoutes } from "./providers/web.js";
import { webConfigRoutes } from "./providers/web-config.js";
import type { Settings, State } from "./state.js";
import { handleIdentity } from "./tokens/endpoint.js";
import { handleEntra, handleGithub, isEntraPath, isGithubPath } from "./tokens/entra.js";
import type { GithubIssuer } from "./tokens/github.js";
import { handleImds } from "./tokens/imds.js";
import type { JwtService } from "./tokens/jwt.js";
import type { World } from "./world.js";

export interface ServerParts {
  server: Server;
  log: RequestLog;
  faults: Faults;
  /** Shared with the control API; the blob plane joins it once started. */
  control: ControlDeps;
  /** The request listener of one VM's plain-HTTP IMDS port (vmKey: its state key). */
  imdsListener(vmKey: string): (req: IncomingMessage, res: ServerResponse) => void;
}

function routingId(correlationId: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `EASTUS:${stamp}:${correlationId}`;
}

class RateLimits {
  private reads = 12000;
  private writes = 1200;

  next(method: string): [string, string] {
    if (method === "GET" || method === "HEAD") {
      this.reads = this.reads <= 1 ? 11999 : this.reads - 1;
      return ["x-ms-ratelimit-remaining-subscription-reads", String(this.reads)];
    }
    this.writes = this.writes <= 1 ? 1199 : this.writes - 1;
    return ["x-ms-ratelimit-remaining-subscription-writes", String(this.writes)];
  }
}

function send(ctx: Ctx, reply: Reply, limits?: RateLimits): void {
  const requestId = randomUUID();
  const correlationId = header(ctx, "x-ms-correlation-request-id") ?? requestId;
  const headers: Record<string, string> = {
    "Cache-Control": "no-cache",
    Pragma: "no-cache",
    Expires: "-1",
    "x-ms-request-id": requestId,
    "x-ms-correlation-request-id": correlationId,
    "x-ms-routing-request-id": routingId(correlationId),
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
  };
  const clientRequestId = header(ctx, "x-ms-client-request-id");
  if (clientRequestId) headers["x-ms-client-request-id"] = clientRequestId;
  if (limits && ctx.kind === "arm") {
    const [name, value] = limits.next(ctx.method);
    headers[name] = value;
  }
  const text = reply.raw ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
  if (text !== "" && reply.raw === undefined) headers["Content-Type"] = "application/json; charset=utf-8";
  const bytes = Buffer.from(text);
  headers["Content-Length"] = String(bytes.length);
  const all = { ...headers, ...reply.headers };
  if (reply.truncate) {
    sendTruncated(ctx.res, reply.status, all, bytes);
    return;
  }
  ctx.res.writeHead(reply.status, all);
  ctx.res.end(bytes);
}

export function createEmulatorServer(
  certs: Certificates,
  state: State,
  world: World,
  settings: Settings,
  jwt: JwtService,
  github: GithubIssuer,
): ServerParts {
  const router = new Router().add(
    ...resourceRoutes(state),
    ...webRoutes(state),
    ...webConfigRoutes(state),
    ...computeRoutes(state, settings),
    ...containerAppsRoutes(state, settings),
    ...storageRoutes(state, settings, world),
    ...managedIdentityRoutes(state, settings),
    ...listRoutes(state, settings),
    ...federatedCredentialRoutes(state, settings),
    ...authorizationRoutes(state, settings),
  );
  const log = new RequestLog();
  const faults = new Faults();
  const control: ControlDeps = { state, world, settings, log, faults, jwt, github };
  const limits = new RateLimits();

  const dispatch = async (ctx: Ctx): Promise<Reply> =>
    ctx.kind === "identity"
      ? isEntraPath(ctx.path)
        ? handleEntra(ctx, { state, settings, jwt, github })
        : isGithubPath(ctx.path)
          ? handleGithub(ctx, { state, settings, jwt, github })
          : handleIdentity(ctx, { state, settings, jwt })
      : ctx.kind === "graph"
        ? handleGraph(ctx, { state, jwt })
        : handleArm(ctx, { state, jwt, router });
  const pipeline = withRequestLog(log, withFaults(faults, router, dispatch));

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    // Parsed by hand: new URL() would read a leading "//" as a host, hiding the double slash ARM rejects.
    const path = q === -1 ? raw : raw.slice(0, q);
    const ctx: Ctx = {
      req,
      res,
      method: (req.method ?? "GET").toUpperCase(),
      path,
      query: new URLSearchParams(q === -1 ? "" : raw.slice(q + 1)),
      headers: req.headers,
      rawBody: await readBody(req),
      // Microsoft Graph's paths start with its version; no ARM path does.
      kind:
        /^\/msi(\/|$)/i.test(path) || isEntraPath(path) || isGithubPath(path)
          ? "identity"
          : /^\/(v1\.0|beta)(\/|$)/.test(path)
            ? "graph"
            : "arm",
      params: {},
      takeLroFailure: () => false,
    };
    if (/^\/__emulator(\/|$)/.test(path)) {
      send(ctx, await handleControl(ctx, control));
      return;
    }
    const reply = await pipeline(ctx);
    if (reply) send(ctx, reply, limits);
  };

  // IMDS goes through the same request log and faults (kind "identity"), never through ARM's front door.
  const imdsPipeline = withRequestLog(
    log,
    withFaults(faults, router, (ctx) => handleImds(ctx, { state, settings, jwt })),
  );
  const imdsListener = (vmKey: string) => (req: IncomingMessage, res: ServerResponse) => {
    (async () => {
      const raw = req.url ?? "/";
      const q = raw.indexOf("?");
      const ctx: Ctx = {
        req,
        res,
        method: (req.method ?? "GET").toUpperCase(),
        path: q === -1 ? raw : raw.slice(0, q),
        query: new URLSearchParams(q === -1 ? "" : raw.slice(q + 1)),
        headers: req.headers,
        rawBody: await readBody(req),
        kind: "identity",
        params: {},
        host: vmKey,
        takeLroFailure: () => false,
      };
      const reply = await imdsPipeline(ctx);
      if (reply) send(ctx, reply);
    })().catch(() => res.destroy());
  };

  const server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      if (res.headersSent) return res.destroy();
      const message = e instanceof Error ? e.message : String(e);
      res.writeHead(500, { "Content-Type": "application/json; charset=utf-8" });
      res.end(
        JSON.stringify({ error: { code: "InternalServerError", message: `Emulator error: ${message}` } }),
      );
    });
  });
  return { server, log, faults, control, imdsListener };
}
