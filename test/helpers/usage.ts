// A usage error as a table row, run in-process (test/unit/usage.test.ts) or as the built binary.

export interface UsageRow {
  /** What the row shows (the test's name). */
  name: string;
  /** The arguments after `miauth`. */
  args: string[];
  /** On top of the emulator's operator environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** The working directory to run in (verify reads .env from it). */
  cwd?: string;
  /** The one line after "error: ", exactly as printed. */
  error: string;
  /** The hint line after "hint: ", when the error has one. */
  hint?: string;
  /** Commander's own errors end with its pointer to --help. */
  usage?: boolean;
}

/** All of stderr for the row: its error line, then its hint or commander's --help pointer. */
export function stderrOf(row: UsageRow): string {
  return [
    `error: ${row.error}\n`,
    row.hint === undefined ? "" : `hint: ${row.hint}\n`,
    row.usage ? "(run with --help for usage)\n" : "",
  ].join("");
}
