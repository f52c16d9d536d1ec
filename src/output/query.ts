import { createRequire } from "node:module";

// @types/jmespath declares only search(); the package also exports compile(), which parses
// without evaluating, so a bad expression is caught before any data (or network) exists.
interface Jmespath {
  compile(expression: string): unknown;
  search(data: unknown, expression: string): unknown;
}

// Loaded on first use, so commands without --query do not pay for it at start-up.
const jmespath = (): Jmespath => createRequire(import.meta.url)("jmespath") as Jmespath;

/** Throws a one-line Error if `expression` is not valid JMESPath. */
export function validateQuery(expression: string): void {
  try {
    jmespath().compile(expression);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`invalid JMESPath query "${expression}": ${reason.split("\n")[0]}`);
  }
}

/** Applies a `--query` expression the way az does: JMESPath over the plain result object. */
export function applyQuery(value: unknown, expression: string): unknown {
  validateQuery(expression);
  try {
    return jmespath().search(value, expression);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`query "${expression}" failed: ${reason.split("\n")[0]}`);
  }
}
