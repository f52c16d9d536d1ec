import { PassThrough, Writable } from "node:stream";
import { createIo, type Io } from "../../src/output/io.js";

/** A writable that keeps what was written, with a settable isTTY like a real terminal stream. */
export class Collect extends Writable {
  chunks: string[] = [];
  isTTY: boolean;
  constructor(isTTY = false) {
    super();
    this.isTTY = isTTY;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.chunks.join("");
  }
}

export function fakeIo(
  tty: { stdout?: boolean; stderr?: boolean; stdin?: boolean } = {},
  env: Record<string, string | undefined> = {},
): { io: Io; stdout: Collect; stderr: Collect; stdin: PassThrough } {
  const stdout = new Collect(tty.stdout);
  const stderr = new Collect(tty.stderr);
  // What a test writes here is what a person would type at a prompt.
  const stdin = Object.assign(new PassThrough(), { isTTY: tty.stdin ?? false });
  const io = createIo(env, { stdout, stderr, stdin });
  return { io, stdout, stderr, stdin };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
export const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, "");
