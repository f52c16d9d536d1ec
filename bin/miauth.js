#!/usr/bin/env node
import { readFileSync } from "node:fs";
import module from "node:module";

// `miauth --version` alone: the version, with nothing else loaded (it is what `-v, --version` prints).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${version}\n`);
  process.exit(0);
}

const help = pipedHelp(args);
if (help !== undefined) {
  // A reader that has gone (`miauth --help | head -1`) is not an error: the rest is dropped, exit 0.
  process.stdout.on("error", (err) => {
    if (err.code !== "EPIPE") throw err;
  });
  process.stdout.write(help);
} else await run();

async function run() {
  // Node >= 22.1 keeps V8's compiled code between runs (in NODE_COMPILE_CACHE's directory, else its own
  // under the OS temp dir); Node 20 has no such function. NODE_DISABLE_COMPILE_CACHE turns it off.
  if (!process.env.NODE_DISABLE_COMPILE_CACHE) module.enableCompileCache?.();
  // --debug prints stack traces: map them to the TypeScript source (only files loaded after this are mapped).
  if (process.argv.includes("--debug")) process.setSourceMapsEnabled(true);
  const { main } = await import("../dist/cli.js");

  process.exitCode = await main(process.argv);
  // A request the deadline abandoned (one that ignored its abort signal) must not keep the process alive.
  setTimeout(() => process.exit(), 1000).unref();
}

/**
 * `miauth [command…] --help` into a pipe: the text commander prints there, saved by the build in
 * dist/help.json, without loading commander and every definition. On a terminal help is wrapped to its
 * width, so commander prints it; so it does for any other arguments, and during the build (no file yet).
 */
function pipedHelp(args) {
  const last = args.at(-1);
  if (process.stdout.isTTY || (last !== "--help" && last !== "-h")) return undefined;
  let saved;
  try {
    saved = JSON.parse(readFileSync(new URL("../dist/help.json", import.meta.url), "utf8"));
  } catch (err) {
    if (err.code === "ENOENT") return undefined;
    throw err;
  }
  const key = args.slice(0, -1).join(" ");
  return Object.hasOwn(saved, key) ? saved[key] : undefined;
}
