// The one way tests start the project's emulator (useEmulator: one per test file, reset before each
// test) and the one HTTPS client they talk to it with, trusting only its CA.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";

export const RG = "msdocs-sdk-auth-example";
export const WEB = "api-version=2025-05-01";
export const COMPUTE = "api-version=2026-03-01";
export const CONTAINER_APPS = "api-version=2025-07-01";

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected loosely
  json: any;
}

/** One HTTPS request to `url`, trusting only `ca`; the reply whole, JSON parsed when it is JSON. */
export function send(
  url: string,
  ca: string | Buffer,
  method: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const req = request(url, { method, ca, headers }, (res) => {
      res.on("error", reject);
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => {
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * A request whose reply may be cut short: what arrived, and how it ended ("end", "aborted", or the
 * error's message when no reply came).
 */
export function sendPartial(
  url: string,
  ca: string | Buffer,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Response["headers"]; text: string; ended: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method, ca, headers }, (res) => {
      let text = "";
      const done = (ended: string) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, ended });
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => done("end"));
      res.on("aborted", () => done("aborted"));
      res.on("error", () => done("aborted"));
    });
    req.on("error", (e) => resolve({ status: 0, headers: {}, text: "", ended: e.message }));
    req.end(body);
  });
}

export type Client = ReturnType<typeof client>;

/** Raw requests to an emulator: any path, its control API, ARM as the operator, replies cut short. */
export function client(emu: EmulatorHandle) {
  const ca = readFileSync(emu.caPath);
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    send(`${emu.url}${path}`, ca, method, headers, body);
  const token = async (resource = "https://management.azure.com/", path = "/msi/token") => {
    const r = await call("GET", `${path}?api-version=2019-08-01&resource=${encodeURIComponent(resource)}`, {
      "X-IDENTITY-HEADER": emu.operatorEnv.IDENTITY_HEADER ?? "",
    });
    if (r.status !== 200) throw new Error(`token: ${r.status} ${r.text}`);
    return r.json.access_token as string;
  };
  const control = (method: string, path: string, body?: unknown) =>
    call(
      method,
      `/__emulator/${path}`,
      { "content-type": "application/json" },
      body === undefined ? undefined : JSON.stringify(body),
    );
  const arm = async (method: string, path: string, body?: unknown, tok?: string) =>
    call(
      method,
      path,
      { Authorization: `Bearer ${tok ?? (await token())}`, "content-type": "application/json" },
      body === undefined ? undefined : JSON.stringify(body),
    );
  /** An ARM request as the operator whose reply may be cut short (see sendPartial). */
  const partial = async (method: string, path: string, body?: unknown) =>
    sendPartial(
      `${emu.url}${path}`,
      ca,
      method,
      { Authorization: `Bearer ${await token()}`, "content-type": "application/json" },
      body === undefined ? undefined : JSON.stringify(body),
    );
  return { ca, call, token, control, arm, partial };
}

export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
}

export function ids(emu: EmulatorHandle) {
  const rg = `/subscriptions/${emu.subscriptionId}/resourceGroups/${RG}`;
  return {
    rg,
    site: (n: string) => `${rg}/providers/Microsoft.Web/sites/${n}`,
    vm: (n: string) => `${rg}/providers/Microsoft.Compute/virtualMachines/${n}`,
    uami: (n: string) => `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${n}`,
    storage: (n: string) => `${rg}/providers/Microsoft.Storage/storageAccounts/${n}`,
  };
}

export interface LoggedRequest {
  seq: number;
  /** When the request arrived (ISO 8601, milliseconds). */
  time: string;
  method: string;
  path: string;
  apiVersion?: string;
  /** The status line the client got: 0 when none went out (reset, drop). */
  status: number;
  kind: "arm" | "identity" | "blob" | "graph";
  principalId?: string;
  /** The type of the fault applied to this request. */
  fault?: string;
  /** The handler's own status when it ran under a raw, truncate, drop, delay-after or hold fault. */
  handlerStatus?: number;
  /** Which connection to the emulator carried it (ARM, Graph, identity): the same number, the same one. */
  connection?: number;
}

/** A fault as POST /__emulator/faults takes it (see src/emulator/README.md). */
export type FaultSpec =
  | { type: "latency" | "delay-after"; ms: number }
  | { type: "status"; status: number; code?: string; message?: string; retryAfter?: number | null }
  | { type: "reset" | "lro-failed" }
  | { type: "raw"; status?: number; contentType?: string; body: string; apply?: boolean }
  | { type: "truncate"; apply?: true }
  | { type: "drop"; apply?: boolean }
  | { type: "hold"; maxMs?: number };

export interface FaultMatch {
  method?: string;
  /** A case-insensitive substring of the path. */
  path?: string;
  kind?: "arm" | "identity" | "blob" | "graph";
}

/** Replies a hold fault keeps back: the handler has run (state read or changed), the client waits. */
export interface HeldReplies {
  id: string;
  /**
   * Resolves once a request's reply is held. Pass the run meant to send that request: if it ends
   * first, this rejects with what it printed instead of waiting for the long poll to run out.
   */
  waitHeld(run?: Promise<unknown>): Promise<void>;
  /** Lets every reply held so far go (at least one must be held). */
  release(): Promise<void>;
}

export class TestEmulator {
  readonly api: Client;
  constructor(readonly handle: EmulatorHandle) {
    this.api = client(handle);
  }

  get url() {
    return this.handle.url;
  }
  get sub() {
    return this.handle.subscriptionId;
  }
  get env(): Record<string, string> {
    return this.handle.operatorEnv;
  }

  rg(name = RG) {
    return `/subscriptions/${this.sub}/resourceGroups/${name}`;
  }
  siteId(name: string, rg?: string) {
    return `${this.rg(rg)}/providers/Microsoft.Web/sites/${name}`;
  }
  vmId(name: string, rg?: string) {
    return `${this.rg(rg)}/providers/Microsoft.Compute/virtualMachines/${name}`;
  }
  uamiId(name: string, rg?: string) {
    return `${this.rg(rg)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  }

  /** A control API call whose reply must be a success: its JSON body. */
  async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const r = await this.api.control(method, path, body);
    if (r.status >= 400) throw new Error(`control ${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  }

  async requests(): Promise<LoggedRequest[]> {
    const r = (await this.control("GET", "requests")) as { value: LoggedRequest[] };
    return r.value;
  }
  async armRequests(): Promise<LoggedRequest[]> {
    return (await this.requests()).filter((r) => r.kind === "arm");
  }
  /** ARM requests that may change something: not GET/HEAD, and not a POST …/list (a read ARM spells as an action). */
  async writes(): Promise<LoggedRequest[]> {
    return (await this.armRequests()).filter(
      (r) => r.method !== "GET" && r.method !== "HEAD" && !(r.method === "POST" && /\/list$/i.test(r.path)),
    );
  }
  /**
   * Polls the request log until a request matches. Pass the run meant to send it: if that ends
   * first, this rejects with what it printed.
   */
  async waitForRequest(
    matches: (r: LoggedRequest) => boolean,
    run?: Promise<unknown>,
    timeoutMs = 30_000,
  ): Promise<LoggedRequest> {
    let ended: unknown;
    run?.then((r) => {
      ended = r ?? "ended";
    });
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.requests()).find(matches);
      if (found) return found;
      if (ended) throw new Error(`the run ended before the awaited request: ${JSON.stringify(ended)}`);
      if (Date.now() > until) throw new Error(`no matching request in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  clearLog() {
    return this.control("DELETE", "requests");
  }
  reset() {
    return this.control("POST", "reset");
  }
  /** `every`: only each N-th matching request gets the fault (see src/emulator/README.md). */
  fault(match: FaultMatch, fault: FaultSpec | Record<string, unknown>, count = 1, every = 1) {
    return this.control("POST", "faults", { match, fault, count, every });
  }
  /** A hold fault on the next `count` requests matching `match` (see HeldReplies). */
  async hold(match: FaultMatch, count = 1): Promise<HeldReplies> {
    const { id } = (await this.fault(match, { type: "hold" }, count)) as { id: string };
    const what = `hold ${JSON.stringify(match)}`;
    return {
      id,
      waitHeld: async (run) => {
        // The long poll gives up before the test does, with a message naming the fault.
        const held = this.control("GET", `faults/${id}/held?timeoutMs=45000`);
        const ended = run?.then((r) => {
          throw new Error(`${what}: the run ended before any reply was held: ${JSON.stringify(r)}`);
        });
        await (ended ? Promise.race([held, ended]) : held);
      },
      release: async () => {
        await this.control("POST", `faults/${id}/release`);
      },
    };
  }
  /** Moves the emulator's pending clocks (propagation, replication, operations) `ms` closer. */
  advance(ms: number) {
    return this.control("POST", "clock/advance", { ms });
  }
  /** Ends every running VM operation now (see lroDelayMs: Infinity). */
  settle() {
    return this.control("POST", "operations/settle");
  }
  clearFaults() {
    return this.control("DELETE", "faults");
  }
  state(): Promise<unknown> {
    return this.control("GET", "state");
  }

  /** A raw blob request through the RBAC gate as the operator (give it a data role in the test world). */
  async blob(method: string, path: string): Promise<Response> {
    const gate = this.handle.blob?.gateUrl;
    if (!gate) throw new Error("the blob plane is not running (is azurite installed?)");
    const token = (
      (await this.control("POST", "token", { resource: "https://storage.azure.com" })) as {
        access_token: string;
      }
    ).access_token;
    return send(`${gate}${path}`, this.api.ca, method, {
      authorization: `Bearer ${token}`,
      "x-ms-version": "2025-01-05",
    });
  }

  async blobNames(account: string, container: string): Promise<string[]> {
    const r = await this.blob("GET", `/${account}/${container}?restype=container&comp=list`);
    if (r.status !== 200) throw new Error(`list blobs: ${r.status} ${r.text}`);
    return [...r.text.matchAll(/<Name>([^<]+)<\/Name>/g)].map((m) => m[1] ?? "");
  }

  /**
   * Arranges a test without running the CLI: turns on the system-assigned identity of a site, VM or container app
   * (`id`) with one PATCH as the operator, keeping its user-assigned identities, and returns the new
   * principal ID. For tests whose subject is another command; `enable` itself is tested through the CLI.
   */
  async enableSystem(id: string): Promise<string> {
    const app = /\/Microsoft\.App\//i.test(id);
    const path = `${id}?${/\/Microsoft\.Web\//i.test(id) ? WEB : app ? CONTAINER_APPS : COMPUTE}`;
    const before = await this.arm("GET", path);
    const identity = (before.body.identity ?? {}) as { userAssignedIdentities?: Record<string, unknown> };
    const users = Object.keys(identity.userAssignedIdentities ?? {});
    const body = {
      identity: users.length
        ? {
            type: "SystemAssigned, UserAssigned",
            userAssignedIdentities: Object.fromEntries(users.map((u) => [u, {}])),
          }
        : { type: "SystemAssigned" },
    };
    const r = await this.arm("PATCH", path, body);
    if (r.status >= 300) throw new Error(`enable ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    if (app || /\/Microsoft\.Compute\//i.test(id)) await this.settle();
    const after = await this.arm("GET", path);
    const principalId = (after.body.identity as { principalId?: string } | undefined)?.principalId;
    if (!principalId) throw new Error(`enable ${id}: no principal ID after the PATCH`);
    return principalId;
  }

  /**
   * Arranges a test without running the CLI: assigns the built-in role `roleName` to `principalId` at
   * `scope` (default the guide's resource group) with one PUT as the operator, principalType sent as
   * `assign-role` sends it. Resolves when ARM has answered 201.
   */
  async assignRole(principalId: string, roleName: string, scope = this.rg()): Promise<void> {
    const AUTHZ = "api-version=2022-04-01";
    const filter = encodeURIComponent(`roleName eq '${roleName}'`);
    const defs = await this.arm(
      "GET",
      `${scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=${filter}&${AUTHZ}`,
    );
    const roleDefinitionId = (defs.body.value as { id: string }[] | undefined)?.[0]?.id;
    if (!roleDefinitionId) throw new Error(`no role named ${roleName}: ${JSON.stringify(defs.body)}`);
    const r = await this.arm(
      "PUT",
      `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${AUTHZ}`,
      { properties: { roleDefinitionId, principalId, principalType: "ServicePrincipal" } },
    );
    if (r.status !== 201) throw new Error(`assign ${roleName}: ${r.status} ${JSON.stringify(r.body)}`);
  }

  /** A raw ARM request as the operator, for what the CLI never sends (e.g. no principalType). */
  async arm(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const token = ((await this.control("POST", "token", {})) as { access_token: string }).access_token;
    const r = await this.api.arm(method, path, body, token);
    return { status: r.status, body: r.json ?? {} };
  }
}

export interface EmulatorFixture {
  readonly current: TestEmulator;
  /** The emulator as startEmulator returned it. */
  readonly handle: EmulatorHandle;
  /** Raw requests to it (see client). */
  readonly api: Client;
}

/**
 * One emulator per test file (or describe block): started before its tests, reset before each, closed
 * after. The fields can be read once the tests run.
 */
export function useEmulator(opts: EmulatorOptions = {}): EmulatorFixture {
  let emu: TestEmulator | undefined;
  const started = () => {
    if (!emu) throw new Error("the emulator starts in beforeAll: use it inside a hook or a test");
    return emu;
  };
  beforeAll(async () => {
    emu = new TestEmulator(await startEmulator({ lroDelayMs: 300, retryAfterSeconds: 0, ...opts }));
  });
  beforeEach(async () => {
    await started().reset();
  });
  afterAll(async () => {
    await emu?.handle.close();
  });
  return {
    get current() {
      return started();
    },
    get handle() {
      return started().handle;
    },
    get api() {
      return started().api;
    },
  };
}
