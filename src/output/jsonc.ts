import { Chalk } from "chalk";

/**
 * JSON.stringify(value, null, 2) with colours in the spirit of az's pygments TerminalFormatter:
 * keys bright blue, strings yellow, numbers/true/false/null blue. Without colour the text is
 * byte-for-byte the same as `-o json`.
 */
export function renderJsonc(value: unknown, color: boolean): string {
  const text = JSON.stringify(value, null, 2);
  if (!color || text === undefined) return `${text}\n`;
  const c = new Chalk({ level: 1 });
  const paint = {
    key: (s: string) => c.blueBright(s),
    string: (s: string) => c.yellow(s),
    literal: (s: string) => c.blue(s),
  };
  // Round-trip first so toJSON, undefined and non-finite numbers behave exactly as in JSON.stringify.
  return `${write(JSON.parse(text), "", paint)}\n`;
}

interface Paint {
  key(s: string): string;
  string(s: string): string;
  literal(s: string): string;
}

function write(v: unknown, indent: string, paint: Paint): string {
  if (v === null || typeof v === "number" || typeof v === "boolean") return paint.literal(String(v));
  if (typeof v === "string") return paint.string(JSON.stringify(v));
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const items = v.map((item) => inner + write(item, inner, paint));
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  const lines = entries.map(
    ([k, item]) => `${inner}${paint.key(JSON.stringify(k))}: ${write(item, inner, paint)}`,
  );
  return `{\n${lines.join(",\n")}\n${indent}}`;
}
