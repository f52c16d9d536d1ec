// ARM's error body and the replies every resource provider shares: a missing group or resource, a
// request body that is not a JSON object.

import type { Ctx, Reply } from "../http.js";
import type { State } from "../state.js";

export function armError(
  status: number,
  code: string,
  message: string,
  extra: { target?: string; headers?: Record<string, string> } = {},
): Reply {
  const error: Record<string, unknown> = { code, message };
  if (extra.target !== undefined) error.target = extra.target;
  return { status, body: { error }, headers: extra.headers };
}

export function ok(body: unknown, headers?: Record<string, string>): Reply {
  return { status: 200, body, headers };
}

/** ARM answers 404 ResourceGroupNotFound before looking at the resource itself. */
export function groupMissing(state: State, sub: string, rg: string): Reply | undefined {
  if (state.resourceGroups[`/subscriptions/${sub}/resourcegroups/${rg}`.toLowerCase()]) return undefined;
  return armError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
}

export function resourceNotFound(type: string, name: string, rg: string): Reply {
  return armError(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    { headers: { "x-ms-failure-cause": "gateway" } },
  );
}

export function patchNotFound(ctx: Ctx, name: string): Reply {
  return armError(
    404,
    "PatchResourceNotFound",
    `The resource '${ctx.path}' was not found when evaluating policies for a PATCH operation.`,
    { target: name, headers: { "x-ms-failure-cause": "gateway" } },
  );
}

export function readJson(ctx: Ctx): { body: Record<string, unknown> } | Reply {
  let body: unknown;
  try {
    body = ctx.rawBody.trim() === "" ? {} : JSON.parse(ctx.rawBody);
  } catch (e) {
    return armError(
      400,
      "InvalidRequestContent",
      `The request content was invalid and could not be deserialized: '${(e as Error).message}'.`,
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return armError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized.",
    );
  }
  return { body: body as Record<string, unknown> };
}

export function isReply(v: unknown): v is Reply {
  return typeof v === "object" && v !== null && "status" in v && typeof (v as Reply).status === "number";
}
