import type { Io } from "./io.js";

export interface Spinner {
  update(text: string): void;
  /** Clears the spinner; `finalText`, if given, is printed as a line on stderr with or without a TTY. */
  stop(finalText?: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const INTERVAL_MS = 80;
const CLEAR_LINE = "\r\x1b[K";

/** A spinner on stderr, drawn only when stderr is a TTY; without one it draws nothing. */
export function startSpinner(io: Io, text: string): Spinner {
  if (!io.stderrIsTTY) return plainProgress(io);

  let current = text;
  let frame = 0;
  let stopped = false;
  const draw = () => {
    const f = FRAMES[frame % FRAMES.length] ?? "";
    io.stderr.write(`${CLEAR_LINE}${io.paint.hint(f)} ${current}`);
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
