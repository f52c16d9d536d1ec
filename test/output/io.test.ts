import { describe, expect, it } from "vitest";
import { colorLevel, error, hint, info, oneLine, warn } from "../../src/output/io.js";
import { result } from "../../src/output/result.js";
import { fakeIo } from "./fakes.js";

describe("colour decision", () => {
  it("follows the TTY when nothing is set", () => {
    expect(fakeIo({ stdout: true, stderr: true }).io).toMatchObject({ color: true, colorStdout: true });
    expect(fakeIo({ stdout: false, stderr: true }).io).toMatchObject({ color: true, colorStdout: false });
    expect(fakeIo({}).io).toMatchObject({ color: false, colorStdout: false });
  });
  it("turns colour off for any non-empty NO_COLOR, even with FORCE_COLOR", () => {
    for (const NO_COLOR of ["1", "true", "0"]) {
      expect(fakeIo({ stdout: true, stderr: true }, { NO_COLOR }).io.color).toBe(false);
    }
    expect(fakeIo({ stderr: true }, { NO_COLOR: "1", FORCE_COLOR: "1" }).io.color).toBe(false);
    expect(fakeIo({ stderr: true }, { NO_COLOR: "" }).io.color).toBe(true);
  });
  it("FORCE_COLOR=0 disables on a TTY; non-zero enables without one", () => {
    expect(fakeIo({ stdout: true, stderr: true }, { FORCE_COLOR: "0" }).io).toMatchObject({
      color: false,
      colorStdout: false,
    });
    expect(fakeIo({}, { FORCE_COLOR: "1" }).io).toMatchObject({ color: true, colorStdout: true });
    expect(colorLevel({ FORCE_COLOR: "3" }, false)).toBe(3);
    expect(colorLevel({ FORCE_COLOR: "false" }, true)).toBe(0);
    expect(colorLevel({ FORCE_COLOR: "" }, false)).toBe(1);
  });
  it("treats TERM=dumb as no colour unless forced", () => {
    expect(colorLevel({ TERM: "dumb" }, true)).toBe(0);
    expect(colorLevel({ TERM: "dumb", FORCE_COLOR: "1" }, true)).toBe(1);
  });
  it("records TTY-ness of all three streams", () => {
    expect(fakeIo({ stdout: true, stderr: false, stdin: true }).io).toMatchObject({
      stdoutIsTTY: true,
      stderrIsTTY: false,
      stdinIsTTY: true,
    });
  });
  it("paint returns plain text when colour is off", () => {
    const { io } = fakeIo({ stderr: true }, { FORCE_COLOR: "0" });
    expect(io.paint.err("x") + io.paint.warn("x") + io.paint.hint("x") + io.paint.dim("x")).toBe("xxxx");
    expect(fakeIo({ stderr: true }).io.paint.bold("x")).toBe("\x1b[1mx\x1b[22m");
  });
});

describe("result", () => {
  it("writes data to stdout only, with the query applied", () => {
    const { io, stdout, stderr } = fakeIo();
    result(io, { principalId: "p-1", name: "app" }, "tsv", "principalId");
    expect(stdout.text).toBe("p-1\n");
    expect(stderr.text).toBe("");
  });
  it("uses stdout's colour decision for jsonc", () => {
    const piped = fakeIo({ stdout: false, stderr: true });
    result(piped.io, { a: 1 }, "jsonc");
    expect(piped.stdout.text).toBe('{\n  "a": 1\n}\n');
    const tty = fakeIo({ stdout: true });
    result(tty.io, { a: 1 }, "jsonc");
    expect(tty.stdout.text).toContain("\x1b[");
  });
  it("writes nothing at all for -o none or an empty result", () => {
    const { io, stdout } = fakeIo();
    result(io, { a: 1 }, "none");
    result(io, [], "table");
    result(io, { a: 1 }, "json", "missing");
    expect(stdout.chunks).toEqual([]);
  });
  it("throws on an invalid query before writing anything", () => {
    const { io, stdout } = fakeIo();
    expect(() => result(io, { a: 1 }, "json", "a[")).toThrowError(/invalid JMESPath query/);
    expect(stdout.chunks).toEqual([]);
  });
});

describe("messages", () => {
  it("go to stderr with plain prefixes when colour is off", () => {
    const { io, stdout, stderr } = fakeIo();
    info(io, "Enabling identity");
    warn(io, "role assignment may take a minute to apply");
    error(io, "web app not found");
    hint(io, "check --resource-group");
    expect(stderr.text).toBe(
      [
        "Enabling identity",
        "warning: role assignment may take a minute to apply",
        "error: web app not found",
        "hint: check --resource-group",
        "",
      ].join("\n"),
    );
    expect(stdout.text).toBe("");
  });
  it("colour only the prefix when colour is on", () => {
    const { io, stderr } = fakeIo({ stderr: true });
    error(io, "boom");
    expect(stderr.text).toBe("\x1b[31m\x1b[1merror:\x1b[22m\x1b[39m boom\n");
  });
});

describe("messages are one line of plain text", () => {
  it("escapes newlines, terminal escapes and bidi overrides in error, warning and hint", () => {
    const { io, stderr } = fakeIo({});
    error(io, "invalid name 'a\u001b[2Jb\nerror: fake\r'");
    warn(io, "x\u0007\u009b\u202ey\u2028");
    hint(io, "tab\there");
    expect(stderr.text).toBe(
      "error: invalid name 'a\\x1b[2Jb\\nerror: fake\\r'\nwarning: x\\x07\\x9b\\u202ey\\u2028\nhint: tab\\there\n",
    );
  });
  it("leaves ordinary text alone", () => {
    expect(oneLine("Storage Blob Data Contributor at /subscriptions/…/grüppe (ok)")).toBe(
      "Storage Blob Data Contributor at /subscriptions/…/grüppe (ok)",
    );
  });
});
