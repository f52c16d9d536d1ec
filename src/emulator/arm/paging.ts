// ARM list paging: pages of state.options.pageSize with an absolute nextLink and an opaque $skiptoken.
import type { Ctx, Reply } from "../http.js";
import type { Settings, State } from "../state.js";
import { armError, ok } from "./replies.js";

function skipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ skip: offset })).toString("base64url");
}

function readSkipToken(token: string): number | undefined {
  try {
    const skip = (JSON.parse(Buffer.from(token, "base64url").toString()) as { skip?: unknown }).skip;
    return typeof skip === "number" && Number.isInteger(skip) && skip >= 0 ? skip : undefined;
  } catch {
    return undefined;
  }
}

/** One page; nextLink is absolute, on the emulator, with the same api-version and $filter. */
export function page(ctx: Ctx, state: State, settings: Settings, items: unknown[]): Reply {
  const token = ctx.query.get("$skiptoken");
  const start = token === null ? 0 : readSkipToken(token);
  if (start === undefined) {
    return armError(400, "InvalidSkipToken", `The skip token '${token}' is not valid.`);
  }
  const end = start + state.options.pageSize;
  const body: Record<string, unknown> = { value: items.slice(start, end) };
  if (end < items.length) {
    const query = [`api-version=${encodeURIComponent(ctx.apiVersion ?? "")}`];
    const filter = ctx.query.get("$filter");
    if (filter !== null) query.push(`$filter=${encodeURIComponent(filter)}`);
    query.push(`$skiptoken=${skipToken(end)}`);
    body.nextLink = `${settings.baseUrl}${ctx.path}?${query.join("&")}`;
  }
  return ok(body);
}

export function unsupportedFilter(filter: string, supported: string): Reply {
  return armError(
    400,
    "UnsupportedQuery",
    `The filter '${filter}' is not supported. Supported filters are either ${supported}.`,
  );
}
