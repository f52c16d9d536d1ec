import type { Io } from "./io.js";

export interface Spinner {
  update(text: string): void;
  /** Clears the spinner; `finalText`, if given, is printed as a line on stderr with or without a TTY. */
  stop(finalText?: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const INTERVAL_MS = 80;
const CLEAR_LINE = "\r\x1b[K";

/** "42s", "3m 05s", "1h 02m": how long the spinner has been turning. */
export function elapsedText(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

/**
 * A spinner on stderr, drawn only when stderr is a TTY; without one it draws nothing. From the first
 * second on it shows how long it has been turning, and the line is cut to the terminal's width (a line
 * that wrapped could not be redrawn in place).
 */
export function startSpinner(io: Io, text: string): Spinner {
  if (!io.stderrIsTTY) return plainProgress(io);

  const started = Date.now();
  let current = text;
  let frame = 0;
  let stopped = false;
  const draw = () => {
    const f = FRAMES[frame % FRAMES.length] ?? "";
    const ms = Date.now() - started;
    const elapsed = ms >= 1000 ? ` (${elapsedText(ms)})` : "";
    // Frame, space, text, elapsed, and one column spare for the cursor.
    const room = io.stderrColumns === undefined ? undefined : io.stderrColumns - 3 - elapsed.length;
    const shown =
      room !== undefined && [...current].length > room
        ? `${[...current].slice(0, Math.max(0, room - 1)).join("")}…`
        : current;
    io.stderr.write(`${CLEAR_LINE}${io.paint.hint(f)} ${shown}${io.paint.dim(elapsed)}`);
    frame++;
  };
  draw();
  const timer = setInterval(draw, INTERVAL_MS);
  // A forgotten stop() must never keep the process alive.
  timer.unref();

  return {
    update(next) {
      if (stopped) return;
      current = next;
      draw();
    },
    stop(finalText) {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      io.stderr.write(CLEAR_LINE);
      if (finalText !== undefined) io.stderr.write(`${finalText}\n`);
    },
  };
}

function plainProgress(io: Io): Spinner {
  let stopped = false;
  return {
    update() {},
    stop(finalText) {
      if (stopped) return;
      stopped = true;
      if (finalText !== undefined) io.stderr.write(`${finalText}\n`);
    },
  };
}
