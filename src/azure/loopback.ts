// A rehearsal never leaves the machine: while miauth is aimed at a loopback ARM endpoint (the emulator),
// every request to another host (ARM, a token endpoint, a blob endpoint) is refused before it is sent.
// And a loopback endpoint that refuses the connection is a stopped emulator, not a network hiccup: it is
// said at once, without retries.
import { isIPv4 } from "node:net";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { MiauthError, UsageError } from "../errors.js";

/** 127.0.0.0/8, ::1 (and IPv4-mapped 127.x) or localhost, from a URL's parsed host name. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost") return true;
  if (isIPv4(h)) return h.split(".")[0] === "127";
  // The WHATWG URL parser writes IPv6 hosts compressed: ::1, and ::ffff:7f00:1 for ::ffff:127.0.0.1.
  return h === "::1" || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h);
}

/** The URL's host is loopback; an unparsable URL is not. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "an unparsable URL";
  }
}

/** A request to a non-loopback host while ARM is loopback: nothing was sent (exit 2). */
export class OffMachineRefused extends UsageError {}

/** A loopback endpoint that refused the connection (exit 1). */
export class NothingAnswers extends MiauthError {}

/**
 * Throws OffMachineRefused when `armEndpoint` is loopback and `url` is not. `what` names the endpoint
 * ("the blob endpoint"); `hint` says where it came from and how to point it at the emulator.
 */
export function checkDestination(url: string, armEndpoint: string, what: string, hint?: string): void {
  if (!isLoopbackUrl(armEndpoint) || isLoopbackUrl(url)) return;
  throw new OffMachineRefused(
    `refusing to contact ${origin(url)} (${what}): the ARM endpoint ${origin(armEndpoint)} is loopback, so nothing may leave this machine`,
    {
      hint:
        hint ??
        "point every endpoint at the emulator (source its env.sh), or unset MIAUTH_ARM_ENDPOINT / --arm-endpoint to work against Azure",
    },
  );
}

function connectionRefused(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === "ECONNREFUSED" || e?.cause?.code === "ECONNREFUSED";
}

/** The error to throw instead of `err` for a request to `url`: NothingAnswers for a refused loopback port. */
export function nothingAnswers(url: string, err: unknown): NothingAnswers | undefined {
  if (!connectionRefused(err) || !isLoopbackUrl(url)) return undefined;
  return new NothingAnswers(
    `nothing answers at ${origin(url)}: is the emulator running? (miauth emulator start)`,
    {
      cause: err,
    },
  );
}

/**
 * Every SDK client's first policy (per attempt): refuses non-loopback hosts while ARM is loopback, and
 * turns a refused loopback connection into NothingAnswers, an error no retry strategy retries (they
 * retry system errors such as ECONNREFUSED by their code, or by name in the message for Storage).
 */
export function endpointGuardPolicy(armEndpoint: string, what: string): PipelinePolicy {
  return {
    name: "miauthEndpointGuard",
    async sendRequest(request, next) {
      checkDestination(request.url, armEndpoint, what);
      try {
        return await next(request);
      } catch (err) {
        throw nothingAnswers(request.url, err) ?? err;
      }
    },
  };
}
