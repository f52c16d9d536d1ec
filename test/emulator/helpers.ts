// Talks to an in-process emulator over real HTTPS, trusting only its CA.

import { readFileSync } from "node:fs";
import { request } from "node:https";
import type { EmulatorHandle } from "../../src/emulator/index.js";

export const RG = "msdocs-sdk-auth-example";

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected loosely
  json: any;
}

export function client(emu: EmulatorHandle) {
  const ca = readFileSync(emu.caPath);
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    new Promise<Response>((resolve, reject) => {
      const req = request(`${emu.url}${path}`, { method, ca, headers }, (res) => {
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
  /** A request whose reply may be cut short: what arrived, and how it ended. */
  const partial = async (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; headers: Response["headers"]; text: string; ended: string }>(
      (resolve, reject) => {
        token().then((tok) => {
          const headers = { Authorization: `Bearer ${tok}`, "content-type": "application/json" };
          const req = request(`${emu.url}${path}`, { method, ca, headers }, (res) => {
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
          req.end(body === undefined ? undefined : JSON.stringify(body));
        }, reject);
      },
    );
  return { call, token, control, arm, partial };
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

export const WEB = "api-version=2025-05-01";
export const COMPUTE = "api-version=2026-03-01";
