// Pipeline policies: an HTTP trace for --debug, and retry waits bounded and announced on stderr.
// The Authorization header is never read here, and query values other than api-version are hidden
// (operation URLs can carry signed parameters): tokens cannot reach the log.
import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import { TimeoutError } from "../errors.js";
import { azureErrorCode } from "./errors.js";

const SAFE_RESPONSE_HEADERS = ["x-ms-request-id", "x-ms-correlation-request-id", "retry-after"];

/** The URL as the trace shows it: no user name or password, query values other than api-version hidden. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  // Rebuilt, not decoded: decodeURIComponent throws on a stray `%` and would un-escape control characters.
  const query = [...u.searchParams].map(
    ([key, value]) => `${key}=${key.toLowerCase() === "api-version" ? value : "REDACTED"}`,
  );
  return `${u.protocol}//${u.host}${u.pathname}${query.length > 0 ? `?${query.join("&")}` : ""}`;
}

export function tracePolicy(log: (line: string) => void): PipelinePolicy {
  return {
    name: "miauthTrace",
    async sendRequest(request, next) {
      const started = Date.now();
      log(`> ${request.method} ${redactUrl(request.url)}`);
      try {
        const response = await next(request);
        const headers = SAFE_RESPONSE_HEADERS.map((h) => [h, response.headers.get(h)] as const)
          .filter(([, v]) => v !== undefined)
          .map(([h, v]) => `${h}=${v}`)
          .join(" ");
        log(
          `< ${response.status} ${request.method} ${new URL(request.url).pathname} (${Date.now() - started} ms) ${headers}`,
        );
        return response;
      } catch (err) {
        log(
          `< failed ${request.method} ${new URL(request.url).pathname} (${Date.now() - started} ms): ${(err as Error).message}`,
        );
        throw err;
      }
    },
  };
}

/** Retries after the first attempt, for ARM and the managed identity endpoint alike. */
export const MAX_RETRIES = 4;
/** The longest single wait miauth accepts from a Retry-After header. */
export const MAX_RETRY_AFTER_MS = 60_000;

const WAIT_STATUSES = new Set([429, 500, 502, 503, 504]);
/** The statuses the SDK's throttling strategy retries when they carry a retry-after header. */
const THROTTLED = new Set([429, 503]);

interface HeaderBag {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

/** The wait a reply asks for, from retry-after-ms, x-ms-retry-after-ms or Retry-After (seconds or a date). */
export function requestedWaitMs(headers: Pick<HeaderBag, "get">, now = Date.now()): number | undefined {
  for (const h of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = headers.get(h);
    if (v !== undefined && /^\d+$/.test(v.trim())) return Number(v);
  }
  const after = headers.get("retry-after")?.trim();
  if (!after) return undefined;
  if (/^\d+$/.test(after)) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Backoff for a throttled reply without Retry-After: 1s, 2s, 4s, 8s. */
export function backoffMs(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), 8000);
}

export interface RetryNoticeOptions {
  /** Who answered, for the notice: "ARM", "the managed identity endpoint", "the blob endpoint". */
  service: string;
  warn: (line: string) => void;
  maxRetries: number;
  /** Time left before the command's deadline. */
  remainingMs: () => number;
  /** false for the blob client: its own retry policy ignores Retry-After and retries 500/503 only. */
  throttling?: boolean;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/**
 * Runs once per attempt (position perRetry, inside the SDK's retry loop, before its strategies see the
 * reply). The SDK's throttling strategy retries 429/503 only when a retry-after header is present, and
 * then waits exactly as long as it says, however long. So this policy sets `retry-after-ms` itself,
 * which that strategy reads first: a backoff when the header is missing, at most 60s when it is huge,
 * and never past the command's deadline. Every wait is announced on stderr: a retry is never silent.
 */
export function retryNoticePolicy(o: RetryNoticeOptions): PipelinePolicy {
  // The retry policy sends the same request object again: count attempts per request.
  const attempts = new WeakMap<PipelineRequest, number>();
  return {
    name: "miauthRetryNotice",
    async sendRequest(request, next) {
      const attempt = (attempts.get(request) ?? 0) + 1;
      attempts.set(request, attempt);
      const what = `${request.method} ${new URL(request.url).pathname}`;
      const retries = attempt <= o.maxRetries;
      try {
        const response = await next(request);
        if (!WAIT_STATUSES.has(response.status)) return response;
        const said = `${o.service} answered ${response.status} to ${what} (attempt ${attempt})`;
        if (!retries) {
          o.warn(`${said}; no retries left`);
          return response;
        }
        const asked = requestedWaitMs(response.headers);
        if (o.throttling === false) {
          if (response.status === 500 || response.status === 503)
            o.warn(`${said}; the SDK retries with backoff`);
          return response;
        }
        if (!THROTTLED.has(response.status) || (asked === undefined && response.status !== 429)) {
          o.warn(`${said}; the SDK retries with backoff`);
          return response;
        }
        const wanted = asked ?? backoffMs(attempt);
        const wait = Math.min(wanted, MAX_RETRY_AFTER_MS);
        const left = o.remainingMs();
        if (wait >= left) {
          throw new TimeoutError(
            `${said}: it asks to wait ${seconds(wanted)}, past the command's deadline (${seconds(left)} left)`,
            { hint: "run again later, or with a longer --timeout" },
          );
        }
        response.headers.set("retry-after-ms", String(wait));
        const why =
          asked === undefined
            ? "no Retry-After: backoff"
            : wanted > wait
              ? `Retry-After ${seconds(wanted)}, capped`
              : "Retry-After";
        o.warn(`${said}; retrying in ${seconds(wait)} (${why})`);
        return response;
      } catch (err) {
        const code = azureErrorCode(err);
        if (code === "ECONNRESET" || code === "REQUEST_SEND_ERROR") {
          o.warn(
            `connection to ${o.service} failed for ${what} (attempt ${attempt}: ${(err as Error).message}); ${retries ? "the SDK retries" : "no retries left"}`,
          );
        }
        throw err;
      }
    },
  };
}
