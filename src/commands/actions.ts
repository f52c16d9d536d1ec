// What the commands' actions run, behind one dynamic import: a definition (loaded for --help) imports
// this module only when its command runs. It is one module for the bundle's sake: esbuild puts the
// modules reached from the same entry points in one chunk, and each lazy import is an entry point, so
// action code imported piecemeal became ~30 files of 1-5 KB (each file Node loads costs ~0.3-0.5 ms),
// while the code behind this one import is one chunk. The heavy, command-specific families stay lazy:
// verify, setup, doctor (their *-run.ts), the completion scripts, the emulator, and every Azure SDK
// package (src/azure/clients.ts). test/e2e/startup.test.ts holds each command to its count of files.
import "./definition-kit.js";

export * from "../azure/assignments.js";
export * from "../azure/credential.js";
export * from "../azure/federation.js";
export * from "../azure/identity.js";
export * from "../azure/roles.js";
export * from "../azure/target-kind.js";
export * from "../azure/uami.js";
export * from "../context.js";
export * from "../output/format.js";
export * from "../output/identity-table.js";
export * from "../output/prompt.js";
export { versionInfo } from "../version.js";
export * from "./apply.js";
export * from "./assign-role-run.js";
export * from "./default-group.js";
export * from "./disable-orphans.js";
export * from "./role-flow.js";
export * from "./role-options.js";
export * from "./roles-notes.js";
