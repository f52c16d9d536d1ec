// A [y/N] question on stderr, answered on stdin (a terminal): true only for y or yes.
import { createInterface } from "node:readline/promises";
import type { Io } from "./io.js";

export async function askYesNo(io: Io, question: string, signal: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `, { signal });
    // A terminal echoes the answer and its newline; stderr sent elsewhere (2>log) still gets one line each.
    if (!io.stderrIsTTY) io.stderr.write("\n");
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
