// Starts the project's emulator in-process for one test file and talks to its control API.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  apiVersion?: string;
  /** The status line the client got: 0 when none went out (reset, drop). */
  status: number;
  kind: "arm" | "identity" | "blob";
  principalId?: string;
  /** The type of the fault applied to this request. */
  fault?: string;
  /** The handler's own status when it ran under a raw, truncate, drop, delay-after or hold fault. */
  handlerStatus?: number;
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
  kind?: "arm" | "identity" | "blob";
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
  constructor(readonly handle: EmulatorHandle) {}

  get url() {
    return this.handle.url;
  }
  get sub() {
    return this.handle.subscriptionId;
  }
  get env(): Record<string, string> {
    return this.handle.operatorEnv;
  }

  rg(name = "msdocs-sdk-auth-example") {
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

  control(method: string, path: string, body?: unknown): Promise<unknown> {
    const ca = readFileSync(this.handle.caPath);
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.url}/__emulator/${path}`,
        { method, ca, headers: { "content-type": "application/json" } },
        (res) => {
          let text = "";
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => {
            if ((res.statusCode ?? 500) >= 400)
              reject(new Error(`control ${method} ${path}: ${res.statusCode} ${text}`));
            else resolve(text ? JSON.parse(text) : undefined);
          });
        },
      );
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  async requests(): Promise<LoggedRequest[]> {
    const r = (await this.control("GET", "requests")) as { value: LoggedRequest[] };
    return r.value;
  }
  async armRequests(): Promise<LoggedRequest[]> {
    return (await this.requests()).filter((r) => r.kind === "arm");
  }
  async writes(): Promise<LoggedRequest[]> {
    return (await this.armRequests()).filter((r) => r.method !== "GET" && r.method !== "HEAD");
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
  fault(match: FaultMatch, fault: FaultSpec | Record<string, unknown>, count = 1) {
    return this.control("POST", "faults", { match, fault, count });
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
  async blob(
    method: string,
    path: string,
  ): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
    const gate = this.handle.blob?.gateUrl;
    if (!gate) throw new Error("the blob plane is not running (is azurite installed?)");
    const token = (
      (await this.control("POST", "token", { resource: "https://storage.azure.com" })) as {
        access_token: string;
      }
    ).access_token;
    const ca = readFileSync(this.handle.caPath);
    return new Promise((resolve, reject) => {
      const req = request(
        `${gate}${path}`,
        { method, ca, headers: { authorization: `Bearer ${token}`, "x-ms-version": "2025-01-05" } },
        (res) => {
          let text = "";
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  async blobNames(account: string, container: string): Promise<string[]> {
    const r = await this.blob("GET", `/${account}/${container}?restype=container&comp=list`);
    if (r.status !== 200) throw new Error(`list blobs: ${r.status} ${r.text}`);
    return [...r.text.matchAll(/<Name>([^<]+)<\/Name>/g)].map((m) => m[1] ?? "");
  }

  /** A raw ARM request as the operator, for what the CLI never sends (e.g. no principalType). */
  async arm(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const token = ((await this.control("POST", "token", {})) as { access_token: string }).access_token;
    const ca = readFileSync(this.handle.caPath);
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.url}${path}`,
        { method, ca, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } },
        (res) => {
          let text = "";
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
        },
      );
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
}

/** One emulator per test file, reset before each test. */
export function useEmulator(opts: EmulatorOptions = {}): { current: TestEmulator } {
  const holder = {} as { current: TestEmulator };
  beforeAll(async () => {
    holder.current = new TestEmulator(
      await startEmulator({ lroDelayMs: 300, retryAfterSeconds: 0, ...opts }),
    );
  });
  beforeEach(async () => {
    await holder.current.reset();
  });
  afterAll(async () => {
    await holder.current?.handle.close();
  });
  return holder;
}
