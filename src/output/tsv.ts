import { isRecord, pythonStr } from "./scalar.js";

/**
 * Imitates `az -o tsv` (knack `_TsvOutput`): one line per item (a non-array result is one item),
 * values tab-separated in key order. Inside a row a nested object keeps its column as an empty
 * field, a nested array prints its length, null prints `None` and booleans `True`/`False`
 * (Python's str()); a bare boolean row prints `true`/`false`. Strings are printed raw.
 */
export function renderTsv(value: unknown): string {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => `${row(item)}\n`).join("");
}

function row(item: unknown): string {
  if (Array.isArray(item)) return item.map(field).join("\t");
  if (isRecord(item)) return Object.values(item).map(field).join("\t");
  if (typeof item === "boolean") return String(item);
  return pythonStr(item);
}

function field(v: unknown): string {
  if (Array.isArray(v)) return String(v.length);
  if (isRecord(v)) return "";
  return pythonStr(v);
}
