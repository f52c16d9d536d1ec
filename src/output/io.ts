import type { Readable, Writable } from "node:stream";
import { Chalk } from "chalk";

type Style = (text: string) => string;

/** Where output goes and how it is decorated, decided once at start-up. */
export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  /** stderr's width in columns when it is a terminal (text for people is wrapped to it). */
  stderrColumns?: number;
  /** Where a confirmation prompt reads its answer (process.stdin). */
  stdin: Readable;
  /** Colours on stderr (messages, spinner). */
  color: boolean;
  /** Colours on stdout (only `-o jsonc` uses them). */
  colorStdout: boolean;
  /** Styles for stderr text; each returns the text unchanged when `color` is off. */
  paint: { err: Style; warn: Style; hint: Style; dim: Style; bold: Style };
}

type Env = Record<string, string | undefined>;
type TtyStream<S> = S & { isTTY?: boolean; columns?: number };

export interface Streams {
  stdout: TtyStream<Writable>;
  stderr: TtyStream<Writable>;
  stdin: TtyStream<Readable>;
}

export function createIo(env: Env = process.env, streams: Streams = process): Io {
  if (!streams.stdout.listeners("error").includes(endQuietlyOnClosedPipe))
    streams.stdout.on("error", endQuietlyOnClosedPipe);
  const stdoutIsTTY = streams.stdout.isTTY === true;
  const stderrIsTTY = streams.stderr.isTTY === true;
  const stderrLevel = colorLevel(env, stderrIsTTY);
  const chalk = new Chalk({ level: stderrLevel });
  return {
    stdout: streams.stdout,
    stderr: streams.stderr,
    stdoutIsTTY,
    stderrIsTTY,
    stdinIsTTY: streams.stdin.isTTY === true,
    stderrColumns: stderrIsTTY && (streams.stderr.columns ?? 0) > 0 ? streams.stderr.columns : undefined,
    stdin: streams.stdin,
    color: stderrLevel > 0,
    colorStdout: colorLevel(env, stdoutIsTTY) > 0,
    paint: {
      err: (s) => chalk.red.bold(s),
      warn: (s) => chalk.yellow.bold(s),
      hint: (s) => chalk.cyan(s),
      dim: (s) => chalk.dim(s),
      bold: (s) => chalk.bold(s),
    },
  };
}

/**
 * A reader that closed stdout early (`miauth … --help | head -1`) wants nothing more: the write fails
 * with EPIPE, which would otherwise be an uncaught 'error' event and a stack trace. The rest of the
 * output is dropped and the command ends with its own exit code.
 */
function endQuietlyOnClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code !== "EPIPE") throw err;
}

/**
 * Chalk level for one stream. NO_COLOR (any non-empty value, no-color.org) always wins; then
 * FORCE_COLOR as chalk reads it ("0"/"false" off, ""/"true" level 1, "1".."3" that level);
 * otherwise colour only on a TTY whose TERM is not "dumb".
 */
export function colorLevel(env: Env, isTTY: boolean): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === "" || force === "true") return 1;
    if (force === "false") return 0;
    const n = Number.parseInt(force, 10);
    if (Number.isNaN(n)) return 1;
    return Math.max(0, Math.min(n, 3)) as 0 | 1 | 2 | 3;
  }
  return isTTY && env.TERM !== "dumb" ? 1 : 0;
}

/**
 * One line of plain text: control characters (newlines, ESC that starts a terminal escape sequence)
 * and bidirectional overrides become visible escapes, so text a user typed (or a server sent) that is
 * echoed in a message can neither add lines nor drive the terminal.
 */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, (c) => {
    const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    const code = c.codePointAt(0) ?? 0;
    return (
      named[c] ??
      (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`)
    );
  });
}

/** Text for people on stderr: each line escaped as oneLine does (server text cannot drive the terminal), then styled. */
export function info(io: Io, message: string, style: Style = (s) => s): void {
  io.stderr.write(
    `${message
      .split("\n")
      .map((line) => style(oneLine(line)))
      .join("\n")}\n`,
  );
}

export function warn(io: Io, message: string): void {
  io.stderr.write(`${io.paint.warn("warning:")} ${oneLine(message)}\n`);
}

export function error(io: Io, message: string): void {
  io.stderr.write(`${io.paint.err("error:")} ${oneLine(message)}\n`);
}

export function hint(io: Io, message: string): void {
  io.stderr.write(`${io.paint.hint("hint:")} ${oneLine(message)}\n`);
}
