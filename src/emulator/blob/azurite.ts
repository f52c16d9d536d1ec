import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const AZURITE_INSTALL = "npm install --save-dev azurite@3.35.0";

export interface AzuriteAccount {
  name: string;
  /** Base64, as AZURITE_ACCOUNTS wants it. */
  key: string;
}

export interface AzuriteProcess {
  /** https://127.0.0.1:PORT, no trailing slash. */
  url: string;
  /** Milliseconds from spawn to listening. */
  startupMs: number;
  stop(): Promise<void>;
}

/** Path of Azurite's blob entry point, or undefined when the package is not installed. */
export function azuriteBlobMain(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve("azurite/package.json");
    return join(dirname(pkg), "dist", "src", "blob", "main.js");
  } catch {
    return undefined;
  }
}

// Preloaded into Azurite: it exits when our end of its stdin closes, so it dies with us even when we are
// killed without running exit handlers (SIGKILL, a crashed test worker).
const WATCH_PARENT =
  "data:text/javascript,process.stdin.on('end',()=>process.exit(0)).on('error',()=>process.exit(0)).resume();";

// Up to the line end: output arrives in chunks, and a port cut short would be someone else's port.
const READY = /successfully listens on (https:\/\/\S+)\r?\n/;

export interface AzuriteStart {
  main: string;
  /** Working directory (with --inMemoryPersistence Azurite refuses --location, and writes nothing). */
  dir: string;
  certPath: string;
  keyPath: string;
  accounts: AzuriteAccount[];
  timeoutMs?: number;
}

export async function startAzurite(o: AzuriteStart): Promise<AzuriteProcess> {
  mkdirSync(o.dir, { recursive: true });
  const args = [
    "--import",
    WATCH_PARENT,
    o.main,
    ...["--blobHost", "127.0.0.1", "--blobPort", "0"],
    ...["--cert", o.certPath, "--key", o.keyPath, "--oauth", "basic"],
    ...["--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck", "--loose"],
    "--disableProductStyleUrl",
  ];
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: o.dir,
    env: { ...process.env, AZURITE_ACCOUNTS: o.accounts.map((a) => `${a.name}:${a.key}`).join(";") },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  let stdout = "";
  let stderr = "";
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start within ${o.timeoutMs ?? 20000} ms`)),
      o.timeoutMs ?? 20000,
    );
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = READY.exec(stdout);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1].replace(/\/$/, ""));
      }
    });
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      fail(new Error(`cannot start Azurite: ${e.message}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`Azurite exited (${signal ?? code}) before listening: ${`${stdout}${stderr}`.trim()}`));
    });
  }).catch((e: unknown) => {
    process.off("exit", kill);
    kill();
    throw e;
  });
  const startupMs = Date.now() - started;
  // Keep draining both pipes, without holding on to the text.
  for (const pipe of [child.stdout, child.stderr]) pipe?.removeAllListeners("data").on("data", () => {});
  unref(child);

  let stopped: Promise<void> | undefined;
  return {
    url,
    startupMs,
    stop() {
      stopped ??= new Promise<void>((ok) => {
        process.off("exit", kill);
        if (child.exitCode !== null || child.signalCode !== null) return ok();
        child.once("exit", () => ok());
        // In-memory data only: nothing to flush, so no graceful shutdown is owed.
        kill();
      });
      return stopped;
    },
  };
}

/** The child must not keep the event loop alive on its own: the exit hook and the stdin watch end it. */
function unref(child: ChildProcess): void {
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) {
    (s as unknown as { unref?: () => void } | null)?.unref?.();
  }
}
