import type { Ctx, Kind, Reply } from "../http.js";

export interface Route {
  method: string;
  /**
   * Segments in canonical casing; "{name}" captures. Literal segments match case-insensitively, as in ARM.
   * A leading "{*scope}" captures any scope ("/" for the tenant root), for extension resources such as
   * role assignments that live under any resource.
   */
  pattern: string;
  kind: Kind;
  /** Supported api-versions; empty for routes that take none. */
  apiVersions: readonly string[];
  /** The RBAC action checked before the handler runs, for ARM routes. */
  action?: string;
  /** Which api-version error ARM gives: front-door (Microsoft.Resources) or resource provider. */
  provider?: { namespace: string; type: string };
  handler: (ctx: Ctx) => Reply | Promise<Reply>;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

/**
 * Percent-decoding of one captured value, except an encoded slash: ARM never turns %2F into a path
 * separator, so it stays as sent and the front door refuses it (see README, "%2F").
 */
function decode(value: string): string {
  return value
    .split(/(%2f)/i)
    .map((part, i) => {
      if (i % 2 === 1) return part;
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    })
    .join("");
}

function matchScoped(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  const name = (want[0] ?? "").slice(2, -1);
  const rest = want.length - 1;
  if (got.length < rest + 1) return undefined;
  const tail = matchPattern(`/${want.slice(1).join("/")}`, `/${got.slice(got.length - rest).join("/")}`);
  if (!tail) return undefined;
  const scope = got.slice(0, got.length - rest).join("/");
  return { ...tail, [name]: scope === "" ? "/" : decode(scope) };
}

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  if (pattern.startsWith("{*")) return matchScoped(pattern, path);
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (w.startsWith("{") && w.endsWith("}")) {
      if (g === "") return undefined;
      params[w.slice(1, -1)] = decode(g);
    } else if (w.toLowerCase() !== g.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

export class Router {
  private readonly routes: Route[] = [];

  add(...routes: Route[]): this {
    this.routes.push(...routes);
    return this;
  }

  /** Returns the match, "method" if the path exists under another method, or undefined. */
  match(method: string, path: string): Match | "method" | undefined {
    let pathExists = false;
    for (const route of this.routes) {
      const params = matchPattern(route.pattern, path);
      if (!params) continue;
      if (route.method === method) return { route, params };
      pathExists = true;
    }
    return pathExists ? "method" : undefined;
  }
}
