#!/usr/bin/env node
// --debug prints stack traces: map them to the TypeScript source (only files loaded after this are mapped).
if (process.argv.includes("--debug")) process.setSourceMapsEnabled(true);
const { main } = await import("../dist/cli.js");

process.exitCode = await main(process.argv);
// A request the deadline abandoned (one that ignored its abort signal) must not keep the process alive.
setTimeout(() => process.exit(), 1000).unref();
