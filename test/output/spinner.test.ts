import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createIo } from "../../src/output/io.js";
import { elapsedText, startSpinner } from "../../src/output/spinner.js";
import { Collect, fakeIo, stripAnsi } from "./fakes.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("spinner without a TTY", () => {
  it("writes nothing", () => {
    vi.useFakeTimers();
    const { io, stdout, stderr } = fakeIo({ stdout: true, stderr: false }, { FORCE_COLOR: "1" });
    const s = startSpinner(io, "Assigning role");
    vi.advanceTimersByTime(1000);
    s.update("Waiting for propagation");
    s.stop();
    expect(stderr.chunks).toEqual([]);
    expect(stdout.chunks).toEqual([]);
  });
  it("prints the final text, once", () => {
    const { io, stderr } = fakeIo();
    const s = startSpinner(io, "Assigning role");
    s.update("Waiting for propagation");
    s.stop("Role assigned");
    s.stop("again");
    expect(stderr.text).toBe("Role assigned\n");
  });
});

describe("spinner on a TTY", () => {
  it("animates on stderr with \\r, then clears and prints the final text", () => {
    vi.useFakeTimers();
    const { io, stdout, stderr } = fakeIo({ stderr: true }, { FORCE_COLOR: "0" });
    const s = startSpinner(io, "Assigning role");
    vi.advanceTimersByTime(250);
    s.update("Waiting");
    const frames = stderr.chunks.length;
    expect(frames).toBeGreaterThanOrEqual(4);
    expect(stderr.chunks[0]).toBe("\r\x1b[K⠋ Assigning role");
    expect(stderr.chunks.at(-1)?.startsWith("\r\x1b[K")).toBe(true);
    expect(stderr.chunks.at(-1)?.endsWith(" Waiting")).toBe(true);
    s.stop("Role assigned");
    vi.advanceTimersByTime(1000);
    expect(stderr.chunks.slice(frames)).toEqual(["\r\x1b[K", "Role assigned\n"]);
    expect(stdout.chunks).toEqual([]);
  });
  it("prints the same final content as without a TTY", () => {
    const tty = fakeIo({ stderr: true });
    startSpinner(tty.io, "x").stop("done");
    const pipe = fakeIo();
    startSpinner(pipe.io, "x").stop("done");
    expect(stripAnsi(tty.stderr.chunks.at(-1) ?? "")).toBe(pipe.stderr.text);
  });
  it("does not keep the process alive", () => {
    const spy = vi.spyOn(globalThis, "setInterval");
    const { io } = fakeIo({ stderr: true });
    const s = startSpinner(io, "x");
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    s.stop();
    spy.mockRestore();
  });
});

describe("spinner's elapsed time", () => {
  it("shows how long it has been turning from the first second on, on a TTY only", () => {
    vi.useFakeTimers();
    const { io, stderr } = fakeIo({ stderr: true }, { FORCE_COLOR: "0" });
    const s = startSpinner(io, "updating VM 'msdocs-vm'");
    expect(stderr.chunks[0]).toBe("\r\x1b[K⠋ updating VM 'msdocs-vm'");
    // Drawn every 80 ms: the first frame after one second shows it.
    vi.advanceTimersByTime(1100);
    expect(stderr.chunks.at(-1)).toMatch(/ updating VM 'msdocs-vm' \(1s\)$/);
    vi.advanceTimersByTime(64_000);
    expect(stderr.chunks.at(-1)).toMatch(/ updating VM 'msdocs-vm' \(1m 05s\)$/);
    s.update("updating VM 'msdocs-vm': InProgress");
    expect(stderr.chunks.at(-1)).toMatch(/: InProgress \(1m 05s\)$/);
    s.stop();

    const pipe = fakeIo({ stderr: false });
    const quiet = startSpinner(pipe.io, "updating");
    vi.advanceTimersByTime(5000);
    quiet.stop("done");
    expect(pipe.stderr.text).toBe("done\n");
  });

  it("formats seconds, minutes and hours", () => {
    expect([0, 999, 59_999, 60_000, 3_599_000, 3_600_000, 7_380_000].map(elapsedText)).toEqual([
      "0s",
      "0s",
      "59s",
      "1m 00s",
      "59m 59s",
      "1h 00m",
      "2h 03m",
    ]);
  });

  it("cuts the line to the terminal's width, keeping the elapsed time", () => {
    vi.useFakeTimers();
    const stderr = Object.assign(new Collect(true), { columns: 30 });
    const io = createIo({ FORCE_COLOR: "0" }, { stdout: new Collect(), stderr, stdin: new PassThrough() });
    const s = startSpinner(io, "updating VM 'a-very-long-virtual-machine-name'");
    vi.advanceTimersByTime(2000);
    const line = (stderr.chunks.at(-1) ?? "").replace("\r\x1b[K", "");
    expect(line.slice(1)).toBe(" updating VM 'a-very-l… (2s)");
    expect([...line].length).toBeLessThan(30);
    s.stop();
  });
});
