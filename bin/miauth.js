#!/usr/bin/env node
import { main } from "../dist/cli.js";

process.exitCode = await main(process.argv);
// A request the deadline abandoned (one that ignored its abort signal) must not keep the process alive.
setTimeout(() => process.exit(), 1000).unref();
