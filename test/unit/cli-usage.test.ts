// The command line in-process: help and version, without any network. Usage errors: usage.test.ts.
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import { fakeIo } from "../output/fakes.js";

async function run(...args: string[]) {
  const { io, stdout, stderr } = fakeIo();
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

  it("every command that talks to Azure takes --timeout (checked before any request: usage.test.ts)", async () => {
    for (const cmd of [
      ["show"],
      ["roles", "list"],
      ["assign-role"],
      ["unassign-role"],
      ["enable"],
      ["disable"],
      ["verify"],
    ]) {
      const help = await run(...cmd, "--help");
      expect(help.code, cmd.join(" ")).toBe(0);
      expect(help.stdout, cmd.join(" ")).toMatch(/--timeout <duration>/);
    }
  });
});
