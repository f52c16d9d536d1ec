import jmespathModule from "jmespath";

// @types/jmespath declares only search(); the package also exports compile(), which parses
// without evaluating, so a bad expression is caught before any data (or network) exists.
interface Jmespath {
  compile(expression: string): unknown;
  search(data: unknown, expression: string): unknown;
}

/** A node of the AST jmespath's compile() returns. */
interface AstNode {
  type: string;
  name?: string;
  value?: unknown;
  children?: unknown[];
}

// Bundled; this module is loaded with a command's action, never for --help or --version.
const jmespath = (): Jmespath => jmespathModule as Jmespath;

/** Throws a one-line Error if `expression` is not valid JMESPath, its function calls included. */
export function validateQuery(expression: string): void {
  const fail = (reason: string) => new Error(`invalid JMESPath query "${expression}": ${reason}`);
  let ast: unknown;
  try {
    ast = jmespath().compile(expression);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw fail(reason.split("\n")[0] ?? reason);
  }
  // compile() accepts any function name and any argument list; search() would only fail once the
  // result exists, after the request. Ask the library's own function table now instead.
  forEachNode(ast, (node) => {
    if (node.type !== "Function") return;
    const problem = callProblem(node.name ?? "", node.children ?? []);
    if (problem) throw fail(problem);
  });
}

function forEachNode(node: unknown, visit: (node: AstNode) => void): void {
  if (node === null || typeof node !== "object") return;
  const n = node as AstNode;
  if (typeof n.type !== "string") return;
  visit(n);
  for (const child of n.children ?? []) forEachNode(child, visit);
  if (n.type === "KeyValuePair") forEachNode(n.value, visit);
}

interface Signature {
  count: number;
  variadic: boolean;
}

const signatures = new Map<string, Signature | undefined>();

/** The arity in jmespath's function table: called with no arguments, the library names it. */
function signatureOf(name: string): Signature | undefined {
  if (!signatures.has(name)) {
    let found: Signature | undefined;
    try {
      jmespath().search(null, `${name}()`);
      found = { count: 0, variadic: false };
    } catch (e) {
      const m = /takes (at least ?)?(\d+) argument/.exec(e instanceof Error ? e.message : "");
      found = m ? { count: Number(m[2]), variadic: m[1] !== undefined } : undefined;
    }
    signatures.set(name, found);
  }
  return signatures.get(name);
}

// Values of every JMESPath type, for arguments only known once the result exists.
const ANY_VALUE = ["`null`", "`0`", '`"s"`', "`true`", "`[]`", "`[0]`", '`["s"]`', "`{}`"];

function argumentSamples(arg: unknown): string[] {
  const node = arg as AstNode;
  if (node.type === "Literal") return [`\`${JSON.stringify(node.value).replace(/`/g, "\\`")}\``];
  if (node.type === "ExpressionReference") return ["&@"];
  return ANY_VALUE;
}

function callProblem(name: string, args: unknown[]): string | undefined {
  const signature = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? signatureOf(name) : undefined;
  if (!signature) return `unknown function ${name}()`;
  const { count, variadic } = signature;
  const plural = count === 1 ? "argument" : "arguments";
  if (variadic ? args.length < count : args.length !== count) {
    return `${name}() takes ${variadic ? "at least " : ""}${count} ${plural}, not ${args.length}`;
  }
  // A call that fails the library's type check for every value its arguments could have (a literal
  // of the wrong type, `sort_by(@, name)` without `&`) can never succeed: try each combination.
  let calls = [""];
  for (const arg of args) {
    const samples = argumentSamples(arg);
    if (calls.length * samples.length > 512) return undefined;
    calls = calls.flatMap((head) => samples.map((s) => (head ? `${head}, ${s}` : s)));
  }
  // The library checks arguments in order: the highest one it complains about is the culprit.
  let worst = { index: 0, message: "" };
  for (const call of calls) {
    try {
      jmespath().search(null, `${name}(${call})`);
      return undefined;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const m = /^TypeError: (\S+ expected argument (\d+) to be type \S+)/.exec(message);
      if (!m || !message.startsWith(`TypeError: ${name}()`)) return undefined;
      if (Number(m[2]) > worst.index) worst = { index: Number(m[2]), message: m[1] ?? "" };
    }
  }
  return worst.message;
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
