// Pipeline policies: an HTTP trace for --debug and a notice when ARM makes us wait.
// The Authorization header is never read here, and query values other than api-version are hidden
// (operation URLs can carry signed parameters): tokens cannot reach the log.
import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";

const SAFE_RESPONSE_HEADERS = ["x-ms-request-id", "x-ms-correlation-request-id", "retry-after"];

export function redactUrl(url: string): string {
  const u = new URL(url);
  for (const key of [...u.searchParams.keys()]) {
    if (key.toLowerCase() !== "api-version") u.searchParams.set(key, "REDACTED");
  }
  return decodeURIComponent(u.toString());
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

const WAIT_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Says on stderr why a request is being retried, so a retry is never a silent pause. */
export function retryNoticePolicy(warn: (line: string) => void, maxRetries: number): PipelinePolicy {
  // The retry policy sends the same request object again: count attempts per request.
  const attempts = new WeakMap<PipelineRequest, number>();
  return {
    name: "miauthRetryNotice",
    async sendRequest(request, next) {
      const attempt = (attempts.get(request) ?? 0) + 1;
      attempts.set(request, attempt);
      const what = `${request.method} ${new URL(request.url).pathname}`;
      const then = attempt <= maxRetries ? "the SDK retries" : "no retries left";
      try {
        const response = await next(request);
        if (WAIT_STATUSES.has(response.status)) {
          const after = response.headers.get("retry-after");
          warn(
            `ARM answered ${response.status} to ${what} (attempt ${attempt}); ${then}${after && attempt <= maxRetries ? ` after ${after}s` : ""}`,
          );
        }
        return response;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "ECONNRESET" || code === "REQUEST_SEND_ERROR") {
          warn(
            `connection to ARM failed for ${what} (attempt ${attempt}: ${(err as Error).message}); ${then}`,
          );
        }
        throw err;
      }
    },
  };
}
