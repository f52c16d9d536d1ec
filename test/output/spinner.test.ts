import { afterEach, describe, expect, it, vi } from "vitest";
import { startSpinner } from "../../src/output/spinner.js";
import { fakeIo, stripAnsi } from "./fakes.js";

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
