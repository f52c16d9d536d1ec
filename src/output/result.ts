// A command's result on stdout. Apart from io.ts so that help and error messages load no renderer.
import { type OutputFormat, render } from "./format.js";
import type { Io } from "./io.js";
import { applyQuery } from "./query.js";

/** Writes a command's result to stdout: `--query` first, then the chosen format. */
export function result(io: Io, value: unknown, format: OutputFormat, query?: string): void {
  const shown = query === undefined ? value : applyQuery(value, query);
  const text = render(shown, format, { color: io.colorStdout });
  if (text !== "") io.stdout.write(text);
}
