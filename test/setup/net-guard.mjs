// Fails any attempt to open a TCP connection to a non-loopback address.
// Loaded in the vitest workers (network-guard.ts) and, through NODE_OPTIONS=--import, in every CLI
// process the tests spawn. A blocked attempt throws in the caller and is appended to
// MIAUTH_NET_GUARD_LOG (when set) so the test that spawned the process can fail on it.
import { appendFileSync } from "node:fs";
import net from "node:net";

const LOOPBACK_NAMES = new Set(["localhost", "ip6-localhost"]);

export function isLoopback(host) {
  if (host === undefined || host === null || host === "") return true; // net defaults to localhost
  const h = String(host)
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (LOOPBACK_NAMES.has(h)) return true;
  if (net.isIPv4(h)) return h.startsWith("127.");
  if (net.isIPv6(h)) return h === "::1" || h.startsWith("::ffff:127.");
  return false;
}

function targetOf(args) {
  const first = args[0];
  if (Array.isArray(first)) return targetOf(first); // internal normalized form
  if (first && typeof first === "object") {
    if (first.path) return { host: "localhost", port: first.path }; // unix socket / pipe
    return { host: first.host ?? first.hostname, port: first.port };
  }
  if (typeof first === "string" && !/^\d+$/.test(first)) return { host: "localhost", port: first };
  return { host: typeof args[1] === "string" ? args[1] : undefined, port: first };
}

export function installNetGuard() {
  if (globalThis.__miauthNetGuard) return;
  globalThis.__miauthNetGuard = true;
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    const { host, port } = targetOf(args);
    if (!isLoopback(host)) {
      const message = `network guard: blocked connection to ${host}:${port} (tests may only reach loopback)`;
      const log = process.env.MIAUTH_NET_GUARD_LOG;
      if (log) appendFileSync(log, `${message}\n`);
      throw new Error(message);
    }
    return original.apply(this, args);
  };
}

installNetGuard();
