import { isRecord, pythonStr } from "./scalar.js";

/** az's auto-table (knack `_TableOutput`) leaves these keys out of every table. */
const SKIP_KEYS = new Set(["id", "type", "etag"]);

/** tabulate's "simple" format adds 2 to each header's width before sizing a column. */
const MIN_PADDING = 2;

type Row = Map<string, string>;

/**
 * Imitates `az -o table` (knack + tabulate "simple"): one row per item, columns in first-seen
 * order, headers with the first letter capitalised, nested values and nulls left out, every
 * column left-aligned, trailing spaces trimmed. Unlike az we never sort keys: our results keep
 * a deliberate field order.
 */
export function renderTable(value: unknown): string {
  const rows = (Array.isArray(value) ? value : [value]).map(toRow);
  const headers: string[] = [];
  for (const row of rows) {
    for (const h of row.keys()) if (!headers.includes(h)) headers.push(h);
  }
  if (headers.length === 0) return "";

  const widths = headers.map((h) =>
    Math.max(width(h) + MIN_PADDING, ...rows.map((row) => width(row.get(h) ?? ""))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell + " ".repeat(Math.max(0, (widths[i] ?? 0) - width(cell))))
      .join("  ")
      .trimEnd();
  const lines = [
    line(headers),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((row) => line(headers.map((h) => row.get(h) ?? ""))),
  ];
  return `${lines.join("\n")}\n`;
}

function toRow(item: unknown): Row {
  const row: Row = new Map();
  if (isRecord(item)) {
    for (const [key, v] of Object.entries(item)) {
      if (SKIP_KEYS.has(key) || v === null || v === undefined || typeof v === "object") continue;
      row.set(capitalizeFirst(key), pythonStr(v));
    }
  } else if (Array.isArray(item)) {
    item.forEach((v, i) => {
      row.set(`Column${i + 1}`, v === null || v === undefined ? "" : pythonStr(v));
    });
  } else {
    row.set("Result", item === null || item === undefined ? "" : pythonStr(item));
  }
  return row;
}

function capitalizeFirst(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function width(s: string): number {
  return [...s].length;
}
