import { OUTPUT_FORMATS, type OutputFormat } from "./formats.js";
import { renderJsonc } from "./jsonc.js";
import { renderTable } from "./table.js";
import { renderTsv } from "./tsv.js";

// yaml is bundled in its own chunk, loaded only when -o yaml is used (loadFormat, before the command
// runs): it is bigger than the rest of the output code together.
let yaml: typeof import("yaml") | undefined;

/** Loads what rendering `format` needs; call it before render(). */
export async function loadFormat(format: OutputFormat): Promise<void> {
  // yaml is CommonJS: a bundled import() of it has only `default` (the module), which Node's has too.
  if (format === "yaml")
    yaml ??= ((await import("yaml")) as unknown as { default: typeof import("yaml") }).default;
}

// The list lives in its own module: -o's definition (help, completion) needs it without this code.
export { OUTPUT_FORMATS, type OutputFormat } from "./formats.js";

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
      if (yaml === undefined) throw new Error("-o yaml: call loadFormat() before render()");
      return yaml.stringify(value, { indentSeq: false, lineWidth: 0 });
    case "table":
      return renderTable(value);
    case "tsv":
      return renderTsv(value);
  }
}
