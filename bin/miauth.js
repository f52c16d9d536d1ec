#!/usr/bin/env node
import module from "node:module";

// Node >= 22.1 keeps V8's compiled code between runs (in NODE_COMPILE_CACHE's directory, else its own
// under the OS temp dir); Node 20 has no such function. NODE_DISABLE_COMPILE_CACHE turns it off.
if (!process.env.NODE_DISABLE_COMPILE_CACHE) module.enableCompileCache?.();
// --debug prints stack traces: map them to the TypeScript source (only files loaded after this are mapped).
if (process.argv.includes("--debug")) process.setSourceMapsEnabled(true);
const { main } = await import("../dist/cli.js");

process.exitCode = await main(process.argv);
// A request the deadline abandoned (one that ignored its abort signal) must not keep the process alive.
setTimeout(() => process.exit(), 1000).unref();
