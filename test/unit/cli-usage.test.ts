// The command line in-process: usage errors, help and version, without any network.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import { createIo } from "../../src/output/io.js";

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

async function run(...args: string[]) {
  const stdout = new Sink();
  const stderr = new Sink();
  const io = createIo({ NO_COLOR: "1" }, { stdout, stderr, stdin: {} });
  const code = await main(["node", "miauth", ...args], { io, env: { HOME: "/nonexistent" } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe("miauth command line", () => {
  it("prints the version and exits 0", async () => {
    const r = await run("--version");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("shows examples in each command's help", async () => {
    for (const cmd of ["enable", "disable", "show"]) {
      const r = await run(cmd, "--help");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n {2}\$ miauth /);
      expect(r.stdout).toMatch(/--subscription/); // global options are listed too
    }
  });

  it("an unknown command or flag is exit 2", async () => {
    expect((await run("frobnicate")).code).toBe(2);
    const r = await run("enable", "--nope");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--nope'/);
  });

  it("usage errors print one error line and exit 2", async () => {
    const r = await run("enable", "--webapp", "a1");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: --webapp needs -g/--resource-group\n");
    expect(r.stdout).toBe("");
  });
});
