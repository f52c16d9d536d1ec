// Runs the built CLI as a user runs it: `node bin/miauth.js …` in a child process, with the network
// guard preloaded, a clean HOME (no real ~/.azure) and the emulator's operator environment.
import { type SpawnOptions, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/miauth.js");
const GUARD = pathToFileURL(join(ROOT, "test/setup/net-guard.mjs")).href;
const TTY_STDIN = pathToFileURL(join(ROOT, "test/setup/tty-stdin.mjs")).href;
const TTY_STDOUT = pathToFileURL(join(ROOT, "test/setup/tty-stdout.mjs")).href;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Connections the network guard blocked in the child. Always expected to be empty. */
  blocked: string[];
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Called with the child once spawned (to send signals). */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
  timeoutMs?: number;
  /** The test means to trip the network guard; otherwise any blocked connection fails the test. */
  expectBlocked?: boolean;
  /**
   * Typed at the confirmation prompt: stdin says it is a terminal (test/setup/tty-stdin.mjs), and this
   * line is written to it once the CLI has asked its `[y/N]` question.
   */
  answer?: string;
  /** stdout and stderr say they are a terminal this many columns wide (test/setup/tty-stdout.mjs). */
  terminal?: { columns: number };
}

export function baseEnv(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), "miauth-home-"));
  return {
    PATH: process.env.PATH ?? "",
    HOME: home,
    AZURE_CONFIG_DIR: join(home, ".azure"),
    CI: "true",
    FORCE_COLOR: "0",
    NODE_OPTIONS: `--import ${GUARD}`,
  };
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const guardLog = join(mkdtempSync(join(tmpdir(), "miauth-guard-")), "blocked.log");
  const env: Record<string, string> = { ...baseEnv(), MIAUTH_NET_GUARD_LOG: guardLog };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  if (opts.answer !== undefined) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --import ${TTY_STDIN}`;
  if (opts.terminal !== undefined) {
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --import ${TTY_STDOUT}`;
    env.MIAUTH_TEST_COLUMNS = String(opts.terminal.columns);
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env,
      cwd: opts.cwd ?? ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    // Without an answer stdin is at its end at once, as </dev/null would be.
    if (opts.answer === undefined) child.stdin.end();
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      if (opts.answer !== undefined && child.stdin.writable && /\[y\/N\] $/.test(stderr)) {
        child.stdin.end(`${opts.answer}\n`);
      }
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 45_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const blocked = existsSync(guardLog) ? readFileSync(guardLog, "utf8").split("\n").filter(Boolean) : [];
      rmSync(join(guardLog, ".."), { recursive: true, force: true });
      rmSync(env.HOME ?? "", { recursive: true, force: true });
      if (blocked.length > 0 && !opts.expectBlocked) {
        reject(new Error(`the CLI tried to leave loopback: ${blocked.join("; ")}`));
        return;
      }
      resolvePromise({ code, signal, stdout, stderr, blocked });
    });
    opts.onSpawn?.(child);
  });
}

export function json<T = Record<string, unknown>>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** Any command in a child process (stdin closed): its exit code and all of its output. */
export function spawnText(
  cmd: string,
  args: string[],
  opts: Omit<SpawnOptions, "stdio"> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += d;
    });
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}
