import * as v from "valibot";

/** What is wrong with an input: where (`sites[2].identity.type`), the schema's message, and the value found there. */
export interface Problem {
  path: string;
  message: string;
  input: unknown;
}

/** The output of schema, or its first problem; root names the input itself (`world`, `body`). */
export function parseWith<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  root: string,
): { ok: true; value: v.InferOutput<S> } | { ok: false; problem: Problem } {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  let path = "";
  for (const { key } of issue.path ?? []) {
    if (typeof key === "number") path += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) path += `${path ? "." : ""}${String(key)}`;
    else path += `[${JSON.stringify(key)}]`;
  }
  return { ok: false, problem: { path: path || root, message: issue.message, input: issue.input } };
}

/** A JSON object: valibot's object and record schemas would also take an array. */
export const plainObject = (message: string) =>
  v.custom<Record<string, unknown>>((x) => typeof x === "object" && x !== null && !Array.isArray(x), message);

/** An object (not an array) with these entries; message says what was expected when it is not one. */
export function object<E extends v.ObjectEntries>(entries: E, message: string) {
  return v.pipe(plainObject(message), fields(entries));
}

/**
 * v.object, except that a missing key gets the message its own schema gives for `undefined`, as a wrong
 * value would (valibot uses the object's message: `{}` would not say "tenantId: expected a GUID").
 * Alone, for the options of a v.variant, which has checked the object itself.
 */
export function fields<E extends v.ObjectEntries>(entries: E) {
  return v.object(entries, (issue) => {
    const key = issue.path?.[0]?.key;
    const entry = typeof key === "string" ? entries[key] : undefined;
    return (entry && v.safeParse(entry, undefined).issues?.[0]?.message) || issue.message;
  });
}
