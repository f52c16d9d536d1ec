import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AZURITE_INSTALL, azuriteBlobMain } from "./blob/azurite.js";
import { type BlobPlane, startBlobPlane } from "./blob/plane.js";
import { createCertificates } from "./certs.js";
import { createEmulatorServer } from "./server.js";
import { buildState, DEFAULT_STATE_OPTIONS, type Settings } from "./state.js";
import { identityPathFor } from "./tokens/endpoint.js";
import { createGithubIssuer } from "./tokens/github.js";
import { findHost, type HostSelector, hostVariables } from "./tokens/hosts.js";
import { createJwtService } from "./tokens/jwt.js";
import { type WorkflowRequest, workflowEnv } from "./tokens/workflow.js";
import { DEFAULT_WORLD, loadWorld, validateWorld, type World } from "./world.js";

export { HOST_VARIABLES, type HostKind, type HostSelector } from "./tokens/hosts.js";
export { WORKFLOW_VARIABLES, type WorkflowRequest } from "./tokens/workflow.js";
export type { World } from "./world.js";
export { DEFAULT_WORLD, loadWorld, validateWorld } from "./world.js";

export interface EmulatorOptions {
  /** 0 picks a free port (default). */
  port?: number;
  /** Where ca.pem, env.sh and emulator.json go; created if missing. Default: a fresh temp dir. */
  dir?: string;
  /** Path to a world JSON file, or a world object. Default: the built-in seed. */
  seed?: string | World;
  /**
   * How long a VM PATCH stays InProgress (default 1500); `Infinity`: until the test ends it with
   * POST /__emulator/operations/settle.
   */
  lroDelayMs?: number;
  /** Retry-After on LRO responses and polls (default 1). */
  retryAfterSeconds?: number;
  /** Lifetime of issued tokens (default 3600). */
  tokenLifetimeSeconds?: number;
  /**
   * How long a principal created at run time (a newly enabled system identity) stays unknown to ARM's
   * directory lookup, so that a role assignment without principalType fails with PrincipalNotFound
   * (default 5000).
   */
  replicationDelayMs?: number;
  /** Items per page of role definition and role assignment lists (default 20). */
  pageSize?: number;
  /** Start the blob data plane (Azurite behind the RBAC gate) when Azurite is installed (default true). */
  blob?: boolean;
  /** How long a new role assignment takes to reach the blob data plane (default 5000). */
  dataPlaneDelayMs?: number;
}

export interface EmulatorHandle {
  /** https://127.0.0.1:PORT, no trailing slash: the ARM endpoint. */
  url: string;
  dir: string;
  caPath: string;
  envFile: string;
  infoFile: string;
  subscriptionId: string;
  tenantId: string;
  operatorEnv: Record<string, string>;
  /**
   * Environment of an app on that web app, function app or VM, as its host gives it now (App Service's
   * identity variables only while the site has an identity; a VM's IMDS); throws if there is no such host.
   */
  envFor(resourceId: string): Record<string, string>;
  /**
   * Environment of a GitHub Actions job after its OIDC step (a federated token file for the job's subject,
   * the identity's client ID, the emulator as authority host); throws when no identity fits.
   */
  envForWorkflow(w: WorkflowRequest): Promise<Record<string, string>>;
  /** http://127.0.0.1:PORT of each VM's IMDS, by lower-cased resource ID. */
  imds: Record<string, string>;
  /** The blob data plane; undefined when it is off or Azurite is not installed. */
  blob?: {
    /** `${gateUrl}/${account}`: what BlobServiceClient gets. */
    endpoint(account: string): string;
    /** The RBAC gate, https://127.0.0.1:PORT. */
    gateUrl: string;
    /** Azurite itself (no RBAC): for looking behind the gate in tests. */
    azuriteUrl: string;
  };
  close(): Promise<void>;
}

/** What DIR/emulator.json holds, for `miauth emulator env --as ID` in another process. */
export interface EmulatorInfo {
  url: string;
  /** The emulator's directory (MIAUTH_EMULATOR_DIR in env.sh). */
  dir: string;
  caPath: string;
  envFile: string;
  subscriptionId: string;
  tenantId: string;
  identityHeader: string;
  operator: { principalId: string; clientId: string };
  identityEndpointBase: string;
  /** Resources with an identity endpoint of their own (web apps, function apps, VMs). */
  identityHosts: string[];
  /** The blob gate, when the blob plane runs. */
  blobGateUrl?: string;
  /** The world's first storage account: the one an identity's environment points at. */
  storageAccount?: string;
  pid: number;
}

function baseEnv(info: EmulatorInfo): Record<string, string> {
  return {
    MIAUTH_EMULATOR_DIR: info.dir,
    MIAUTH_ARM_ENDPOINT: info.url,
    MIAUTH_GRAPH_ENDPOINT: info.url,
    NODE_EXTRA_CA_CERTS: info.caPath,
    IDENTITY_ENDPOINT: `${info.identityEndpointBase}/token`,
    IDENTITY_HEADER: info.identityHeader,
    AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential",
    AZURE_SUBSCRIPTION_ID: info.subscriptionId,
  };
}

/** An app's environment on a host: the host's own variables, plus what points it at the emulator. */
function envForResource(info: EmulatorInfo, hostVars: Record<string, string>): Record<string, string> {
  const { IDENTITY_ENDPOINT: _e, IDENTITY_HEADER: _h, ...plumbing } = baseEnv(info);
  const env = { ...plumbing, ...hostVars };
  if (!info.blobGateUrl || !info.storageAccount) return env;
  // The account's name as the guide's app reads it, unless an app setting already says which account.
  const account = env.AZURE_STORAGE_ACCOUNT_NAME ?? info.storageAccount;
  return {
    ...env,
    AZURE_STORAGE_ACCOUNT_NAME: account,
    AZURE_STORAGE_BLOB_ENDPOINT: `${info.blobGateUrl}/${account}`,
  };
}

function envFileText(env: Record<string, string>): string {
  const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
  return `${Object.entries(env)
    .map(([k, v]) => `export ${k}=${quote(v)}`)
    .join("\n")}\n`;
}

function worldFrom(seed: EmulatorOptions["seed"]): World {
  if (seed === undefined) return structuredClone(DEFAULT_WORLD);
  if (typeof seed === "string") return loadWorld(seed);
  return validateWorld(structuredClone(seed));
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const world = worldFrom(opts.seed);
  const state = buildState(world, {
    replicationDelayMs: opts.replicationDelayMs ?? 5000,
    pageSize: opts.pageSize ?? DEFAULT_STATE_OPTIONS.pageSize,
    dataPlaneDelayMs: opts.dataPlaneDelayMs ?? 5000,
  });
  const dir = resolve(opts.dir ?? mkdtempSync(join(tmpdir(), "miauth-emulator-")));
  mkdirSync(dir, { recursive: true });
  const settings: Settings = {
    baseUrl: "",
    lroDelayMs: opts.lroDelayMs ?? 1500,
    retryAfterSeconds: opts.retryAfterSeconds ?? 1,
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 3600,
    identityHeader: randomBytes(24).toString("base64url"),
  };
  const [certs, jwt, github] = await Promise.all([
    createCertificates(),
    createJwtService(state.tenantId),
    createGithubIssuer(),
  ]);
  const { server, log, faults, control, imdsListener } = createEmulatorServer(
    certs,
    state,
    world,
    settings,
    jwt,
    github,
  );
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port ?? 0, "127.0.0.1", () => ok());
  });
  const imdsServers = await startImds(Object.keys(state.vms), imdsListener);
  const azurite = opts.blob === false ? undefined : azuriteBlobMain();
  let blob: BlobPlane | undefined;
  if (azurite) {
    try {
      blob = await startBlobPlane({ main: azurite, dir, certs, state, world, jwt, log, faults });
    } catch (e) {
      server.close();
      server.closeAllConnections();
      await closeImds(imdsServers);
      throw e;
    }
    control.blob = blob;
    settings.blobGateUrl = blob.gateUrl;
    settings.blobContainers = (account) => blob?.containers(account) ?? Promise.resolve([]);
  }
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;
  settings.baseUrl = url;

  const caPath = join(dir, "ca.pem");
  const envFile = join(dir, "env.sh");
  const infoFile = join(dir, "emulator.json");
  const subscriptionId = state.subscriptions[0]?.subscriptionId ?? "";
  const info: EmulatorInfo = {
    url,
    dir,
    caPath,
    envFile,
    subscriptionId,
    tenantId: state.tenantId,
    identityHeader: settings.identityHeader,
    operator: { principalId: state.operator.principalId, clientId: state.operator.clientId },
    identityEndpointBase: `${url}/msi`,
    identityHosts: [
      ...Object.values(state.sites),
      ...Object.values(state.slots),
      ...Object.values(state.vms),
      ...Object.values(state.containerApps),
    ].map((r) => r.id),
    pid: process.pid,
  };
  if (blob) {
    info.blobGateUrl = blob.gateUrl;
    info.storageAccount = world.storageAccounts?.[0]?.name;
  }
  const imds = Object.fromEntries(Object.entries(imdsServers).map(([key, srv]) => [key, imdsUrlOf(srv)]));
  control.hostEnv = (sel: HostSelector) => {
    const found = findHost(state, sel);
    if (typeof found === "string") return found;
    const vars = hostVariables(state, found.key, found.host, {
      identityEndpoint: (site) => `${url}${identityPathFor(site.id)}`,
      identityHeader: settings.identityHeader,
      imdsHost: (key) => imds[key],
    });
    return envForResource(info, vars);
  };
  control.workflowEnv = async (w) => {
    const vars = await workflowEnv(
      state,
      github,
      { dir, authorityHost: url, lifetimeSeconds: settings.tokenLifetimeSeconds },
      w,
    );
    if (typeof vars === "string") return vars;
    // A runner has no AZURE_TOKEN_CREDENTIALS: DefaultAzureCredential's whole chain, as in a real job.
    const { AZURE_TOKEN_CREDENTIALS: _all, ...env } = envForResource(info, vars);
    return env;
  };
  // The operator's verify reaches the emulator's blob plane, never the account's Azure host name.
  const operatorEnv: Record<string, string> =
    info.blobGateUrl && info.storageAccount
      ? { ...baseEnv(info), AZURE_STORAGE_BLOB_ENDPOINT: `${info.blobGateUrl}/${info.storageAccount}` }
      : baseEnv(info);
  writeFileSync(caPath, certs.caPem);
  writeFileSync(envFile, envFileText(operatorEnv), { mode: 0o600 });
  writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });

  let closed: Promise<void> | undefined;
  return {
    url,
    dir,
    caPath,
    envFile,
    infoFile,
    subscriptionId,
    tenantId: state.tenantId,
    operatorEnv,
    envFor(resourceId) {
      const env = control.hostEnv?.({ resourceId }) ?? "not started";
      if (typeof env === "string") throw new Error(env);
      return env;
    },
    async envForWorkflow(w) {
      const env = (await control.workflowEnv?.(w)) ?? "not started";
      if (typeof env === "string") throw new Error(env);
      return env;
    },
    imds,
    blob: blob && {
      endpoint: (account) => `${blob.gateUrl}/${account}`,
      gateUrl: blob.gateUrl,
      azuriteUrl: blob.azuriteUrl,
    },
    close() {
      closed ??= (async () => {
        faults.clear();
        await blob?.close();
        await closeImds(imdsServers);
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        });
        // A stopped emulator leaves nothing to source or to find.
        rmSync(infoFile, { force: true });
        rmSync(envFile, { force: true });
      })();
      return closed;
    },
  };
}

/** One plain-HTTP IMDS server per VM on 127.0.0.1 (a free port each), by the VM's state key. */
async function startImds(
  vmKeys: string[],
  listener: (vmKey: string) => Parameters<typeof createHttpServer>[1],
): Promise<Record<string, HttpServer>> {
  const servers: Record<string, HttpServer> = {};
  try {
    for (const key of vmKeys) {
      const srv = createHttpServer(listener(key));
      await new Promise<void>((ok, fail) => {
        srv.once("error", fail);
        srv.listen(0, "127.0.0.1", () => ok());
      });
      servers[key] = srv;
    }
  } catch (e) {
    await closeImds(servers);
    throw e;
  }
  return servers;
}

function imdsUrlOf(srv: HttpServer): string {
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

async function closeImds(servers: Record<string, HttpServer>): Promise<void> {
  await Promise.all(
    Object.values(servers).map(
      (srv) =>
        new Promise<void>((ok) => {
          srv.close(() => ok());
          srv.closeAllConnections();
        }),
    ),
  );
}

/** A running emulator's info file and its CA; a one-line error when they cannot be read. */
function readInfo(infoFile: string): { info: EmulatorInfo; ca: Buffer } {
  try {
    const info = JSON.parse(readFileSync(infoFile, "utf8")) as EmulatorInfo;
    return { info, ca: readFileSync(info.caPath) };
  } catch (e) {
    throw new Error(
      `cannot read emulator info ${infoFile}: is the emulator running? (${(e as Error).message})`,
    );
  }
}

/**
 * For `miauth emulator env --as` in another process: asks the running emulator (its control API, found
 * through DIR/emulator.json) for the host's environment as it is now. Errors are one line.
 */
export async function identityEnvFromInfo(
  infoFile: string,
  sel: HostSelector | string,
): Promise<Record<string, string>> {
  const { info, ca } = readInfo(infoFile);
  const selector = typeof sel === "string" ? { resourceId: sel } : sel;
  const query = new URLSearchParams(
    "resourceId" in selector
      ? { resourceId: selector.resourceId }
      : { [selector.kind]: selector.name, resourceGroup: selector.resourceGroup },
  );
  return controlEnv(info, ca, "GET", `/__emulator/hosts/env?${query}`);
}

/** For `miauth emulator env --as-github-workflow` in another process, as identityEnvFromInfo is for --as. */
export async function workflowEnvFromInfo(
  infoFile: string,
  w: WorkflowRequest,
): Promise<Record<string, string>> {
  const { info, ca } = readInfo(infoFile);
  return controlEnv(info, ca, "POST", "/__emulator/github/workflow", JSON.stringify(w));
}

async function controlEnv(
  info: EmulatorInfo,
  ca: Buffer,
  method: string,
  path: string,
  payload?: string,
): Promise<Record<string, string>> {
  const url = `${info.url}${path}`;
  const reply = await new Promise<{ status: number; text: string }>((ok, fail) => {
    const headers: Record<string, string> =
      payload === undefined ? {} : { "Content-Type": "application/json" };
    const req = httpsRequest(url, { ca, timeout: 10_000, method, headers }, (res) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => ok({ status: res.statusCode ?? 0, text }));
      res.on("error", fail);
    });
    req.on("timeout", () => req.destroy(new Error("no reply within 10 s")));
    req.on("error", (e) =>
      fail(new Error(`nothing answers at ${info.url}: is the emulator running? (${e.message})`)),
    );
    req.end(payload);
  });
  let body: { env?: Record<string, string>; error?: { message?: string } };
  try {
    body = JSON.parse(reply.text);
  } catch {
    throw new Error(`the emulator at ${info.url} answered ${reply.status} without JSON`);
  }
  if (reply.status !== 200 || !body.env) throw new Error(body.error?.message ?? `status ${reply.status}`);
  return body.env;
}

export interface ForegroundIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * For `miauth emulator start`: starts, prints one ready line to stdout, runs until SIGINT/SIGTERM (or the
 * abort signal), closes. Resolves with the signal that stopped it; it never exits the process itself.
 */
export async function runEmulatorForeground(
  opts: EmulatorOptions,
  io: ForegroundIo,
  abort?: AbortSignal,
): Promise<{ signal: "SIGINT" | "SIGTERM" | "abort" }> {
  const emulator = await startEmulator(opts);
  io.stdout.write(`miauth emulator ready at ${emulator.url} (source ${emulator.envFile})\n`);
  if (opts.blob !== false && !emulator.blob) {
    io.stderr.write(`blob plane off: Azurite is not installed (${AZURITE_INSTALL})\n`);
  }
  const signal = await new Promise<"SIGINT" | "SIGTERM" | "abort">((done) => {
    const onInt = () => finish("SIGINT");
    const onTerm = () => finish("SIGTERM");
    const onAbort = () => finish("abort");
    function finish(s: "SIGINT" | "SIGTERM" | "abort") {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      abort?.removeEventListener("abort", onAbort);
      done(s);
    }
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
    if (abort?.aborted) finish("abort");
    else abort?.addEventListener("abort", onAbort, { once: true });
  });
  await emulator.close();
  io.stderr.write(`miauth emulator stopped (${signal})\n`);
  return { signal };
}
