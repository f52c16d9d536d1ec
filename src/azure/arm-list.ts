// Every page of an ARM list, read through an SDK client's pipeline (same token, policies and retries)
// for the lists no pinned SDK client is built for here. Each page is checked: JSON, a `value` array, and
// a nextLink on the same ARM endpoint.
import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { ArmClients } from "./clients.js";
import { loadPipeline, translateAzureError } from "./errors.js";
import { replyObject, unusable } from "./replies.js";

const MAX_PAGES = 1000;

/** GET {armEndpoint}{path}?api-version=…, following nextLink. `path` is built from parsed segments. */
export async function listAll(
  arm: ArmClients,
  subscriptionId: string,
  path: string,
  apiVersion: string,
  abortSignal?: AbortSignal,
): Promise<unknown[]> {
  const client = await arm.authorization(subscriptionId);
  const base = new URL(arm.armEndpoint);
  let url: string | undefined =
    `${arm.armEndpoint.replace(/\/+$/, "")}${path}?api-version=${encodeURIComponent(apiVersion)}`;
  const out: unknown[] = [];
  for (let pages = 0; url !== undefined; pages++) {
    const reply = await get(client, url, abortSignal);
    const body = replyObject(reply);
    if (!Array.isArray(body.value)) unusable(reply, "it has no 'value' array");
    out.push(...(body.value as unknown[]));
    const next = body.nextLink;
    if (next === undefined || next === null || next === "") url = undefined;
    else if (typeof next !== "string" || !sameOrigin(next, base) || pages >= MAX_PAGES)
      unusable(reply, "its 'nextLink' is not a further page on the same ARM endpoint");
    else url = next;
  }
  return out;
}

/** One GET of {armEndpoint}{path}: the reply's JSON object; ARM's error (404 included) translated. */
export async function getOne(
  arm: ArmClients,
  subscriptionId: string,
  path: string,
  apiVersion: string,
  abortSignal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const client = await arm.authorization(subscriptionId);
  const url = `${arm.armEndpoint.replace(/\/+$/, "")}${path}?api-version=${encodeURIComponent(apiVersion)}`;
  return replyObject(await get(client, url, abortSignal));
}

async function get(
  client: { sendRequest(r: PipelineRequest): Promise<PipelineResponse> },
  url: string,
  abortSignal: AbortSignal | undefined,
): Promise<PipelineResponse> {
  const { createPipelineRequest, RestError } = await loadPipeline();
  let reply: PipelineResponse;
  try {
    reply = await client.sendRequest(createPipelineRequest({ url, method: "GET", abortSignal }));
  } catch (err) {
    throw translateAzureError(err);
  }
  if (reply.status >= 200 && reply.status <= 299) return reply;
  let details: unknown;
  try {
    details = JSON.parse(reply.bodyAsText ?? "");
  } catch {
    details = undefined;
  }
  const error = (details as { error?: { code?: string; message?: string } } | undefined)?.error;
  const rest = new RestError(error?.message ?? `status ${reply.status}`, {
    code: error?.code,
    statusCode: reply.status,
    request: reply.request,
    response: reply,
  });
  rest.details = details;
  throw translateAzureError(rest);
}

function sameOrigin(link: string, base: URL): boolean {
  try {
    return new URL(link).origin === base.origin;
  } catch {
    return false;
  }
}
