import { createRequire } from "node:module";
import { renderJsonc } from "./jsonc.js";
import { renderTable } from "./table.js";
import { renderTsv } from "./tsv.js";

// yaml is loaded only when -o yaml is used: it is most of the start-up time otherwise.
const require = createRequire(import.meta.url);

export type OutputFormat = "json" | "jsonc" | "yaml" | "table" | "tsv" | "none";

export const OUTPUT_FORMATS: readonly OutputFormat[] = ["json", "jsonc", "yaml", "table", "tsv", "none"];

/** Case-insensitive, like az's `--output` (argparse `type=str.lower`). */
export function parseOutputFormat(s: string): OutputFormat {
  const wanted = s.trim().toLowerCase();
  const found = OUTPUT_FORMATS.find((f) => f === wanted);
  if (found === undefined) {
    throw new Error(`invalid output format "${s}" (allowed: ${OUTPUT_FORMATS.join(", ")})`);
  }
  return found;
}

/**
 * The exact text for stdout, trailing newline included; "" means write nothing.
 * A null/undefined result prints nothing in every format: az skips output when the
 * result (after --query) is None.
 */
export function render(value: unknown, format: OutputFormat, opts: { color: boolean }): string {
  if (value === null || value === undefined || format === "none") return "";
  switch (format) {
    case "json":
      return `${JSON.stringify(value, null, 2)}\n`;
    case "jsonc":
      return renderJsonc(value, opts.color);
    case "yaml":
      // indentSeq: false puts "- item" under its key as PyYAML (az) does; lineWidth: 0 never folds
      // long strings such as resource IDs.
      return (require("yaml") as typeof import("yaml")).stringify(value, { indentSeq: false, lineWidth: 0 });
    case "table":
      return renderTable(value);
    case "tsv":
      return renderTsv(value);
  }
}
