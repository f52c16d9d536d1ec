// Helpers of `npm run bench` (scripts/bench.mjs): timing a child process, talking to the in-process
// emulator's control API and ARM, medians.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BIN = join(ROOT, "bin/miauth.js");
export const FLOOR = join(ROOT, "bench/floor.mjs");
const GUARD = pathToFileURL(join(ROOT, "test/setup/net-guard.mjs")).href;
export const RG = "msdocs-sdk-auth-example";
/** Storage Blob Data Reader. */
export const READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

const scratch = mkdtempSync(join(tmpdir(), "miauth-bench-"));
/** Every spawned process appends what the network guard blocked here. */
export const GUARD_LOG = join(scratch, "blocked.log");
export const HOME = join(scratch, "home");

export function guardBlocked() {
  return existsSync(GUARD_LOG) ? readFileSync(GUARD_LOG, "utf8").split("\n").filter(Boolean) : [];
}

export function cleanup() {
  rmSync(scratch, { recursive: true, force: true });
}

export function scratchFile(name, text) {
  const path = join(scratch, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** The environment of every spawned process: the given one, a clean HOME, and the network guard. */
export function childEnv(env) {
  return {
    PATH: process.env.PATH ?? "",
    HOME,
    AZURE_CONFIG_DIR: join(HOME, ".azure"),
    CI: "true",
    FORCE_COLOR: "0",
    ...env,
    NODE_OPTIONS: `--import ${GUARD}`,
    MIAUTH_NET_GUARD_LOG: GUARD_LOG,
  };
}

/**
 * Runs `cmd args` to its end (asynchronously: the emulator answers from this process). Resolves with the
 * exit code, wall time from spawn to close, stdout, stderr, and when it ended (Date.now()).
 */
export function timed(cmd, args, env, { timeoutMs = 300_000, cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, ms: performance.now() - t0, endedAt: Date.now(), stdout, stderr });
    });
  });
}

export function median(xs) {
  const s = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** One HTTPS request trusting the emulator's CA; the reply's status, headers and parsed JSON body. */
export function send(ca, url, method, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const h = body === undefined ? headers : { "Content-Type": "application/json", ...headers };
    const req = request(url, { method, ca, headers: h }, (res) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => {
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The control API and a few direct ARM writes (set-up that is not timed) on one emulator. */
export function emulatorClient(emulator) {
  const ca = readFileSync(emulator.caPath);
  const sub = emulator.subscriptionId;
  const ids = {
    site: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Web/sites/msdocs-web`,
    vm: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/msdocs-vm`,
    rg: `/subscriptions/${sub}/resourceGroups/${RG}`,
    account: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/msdocsstorage`,
  };
  async function control(method, path, body) {
    const r = await send(ca, `${emulator.url}/__emulator/${path}`, method, {}, body);
    if (r.status >= 300) throw new Error(`emulator ${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  }
  async function arm(method, path, body) {
    const token = (await control("POST", "token", {})).access_token;
    const r = await send(ca, `${emulator.url}${path}`, method, { Authorization: `Bearer ${token}` }, body);
    if (r.status >= 300) throw new Error(`set-up ${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  }
  return {
    ids,
    control,
    reset: () => control("POST", "reset"),
    log: async () => (await control("GET", "requests")).value,
    clearLog: () => control("DELETE", "requests"),
    /** Every emulator response `ms` later (a latency fault on everything), or none. */
    async latency(ms) {
      if (ms > 0) await control("POST", "faults", { fault: { type: "latency", ms }, count: 1e9 });
    },
    fault: (f) => control("POST", "faults", f),
    /** Turns on the web app's system identity; its principal ID. */
    async enableSite() {
      const site = await arm("PATCH", `${ids.site}?api-version=2025-05-01`, {
        identity: { type: "SystemAssigned" },
      });
      return site.identity.principalId;
    },
    /** Assigns Storage Blob Data Reader to the principal at the resource group. */
    async assignReader(principalId) {
      const name = crypto.randomUUID();
      await arm(
        "PUT",
        `${ids.rg}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`,
        {
          properties: {
            roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
            principalId,
            principalType: "ServicePrincipal",
          },
        },
      );
      const state = await control("GET", "state");
      return state.roleAssignments.find((a) => a.name === name);
    },
  };
}
