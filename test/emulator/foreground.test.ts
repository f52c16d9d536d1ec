import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runEmulatorForeground } from "../../src/emulator/index.js";

it("runEmulatorForeground prints one ready line, writes its files, and closes on abort", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "miauth-fg-")), "nested");
  let out = "";
  let err = "";
  const abort = new AbortController();
  const io = {
    stdout: {
      write: (t: string) => {
        out += t;
      },
    },
    stderr: {
      write: (t: string) => {
        err += t;
      },
    },
  };
  const running = runEmulatorForeground({ dir }, io, abort.signal);
  while (!out) await new Promise((r) => setTimeout(r, 20));
  expect(out).toMatch(/^miauth emulator ready at https:\/\/127\.0\.0\.1:\d+ \(source .*env\.sh\)\n$/);
  expect(readFileSync(join(dir, "env.sh"), "utf8")).toMatch(
    /^export MIAUTH_ARM_ENDPOINT='https:\/\/127\.0\.0\.1:\d+'$/m,
  );
  expect(readFileSync(join(dir, "ca.pem"), "utf8")).toContain("BEGIN CERTIFICATE");
  const info = JSON.parse(readFileSync(join(dir, "emulator.json"), "utf8"));
  expect(info).toMatchObject({ pid: process.pid, operator: { principalId: expect.any(String) } });
  abort.abort();
  expect(await running).toEqual({ signal: "abort" });
  expect(existsSync(join(dir, "emulator.json"))).toBe(false);
  expect(existsSync(join(dir, "env.sh"))).toBe(false);
  expect(err).toMatch(/stopped/);
});
