// Pipeline policies: an HTTP trace for --debug and a notice when ARM makes us wait.
// The Authorization header is never read here: tokens cannot reach the log.
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

const SAFE_RESPONSE_HEADERS = [
  "x-ms-request-id",
  "x-ms-correlation-request-id",
  "retry-after",
  "azure-asyncoperation",
  "location",
];

export function tracePolicy(log: (line: string) => void): PipelinePolicy {
  return {
    name: "miauthTrace",
    async sendRequest(request, next) {
      const started = Date.now();
      log(`> ${request.method} ${request.url}`);
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
export function retryNoticePolicy(warn: (line: string) => void): PipelinePolicy {
  return {
    name: "miauthRetryNotice",
    async sendRequest(request, next) {
      try {
        const response = await next(request);
        if (WAIT_STATUSES.has(response.status)) {
          const after = response.headers.get("retry-after");
          const code = response.headers.get("x-ms-error-code");
          warn(
            `ARM answered ${response.status}${code ? ` ${code}` : ""} to ${request.method} ${new URL(request.url).pathname}; retrying${after ? ` after ${after}s` : ""}`,
          );
        }
        return response;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "ECONNRESET" || code === "REQUEST_SEND_ERROR") {
          warn(`connection to ARM failed (${(err as Error).message}); retrying`);
        }
        throw err;
      }
    },
  };
}
