import { createRequire } from "node:module";

// The bundle has the version built in (scripts/build.mjs defines MIAUTH_VERSION from package.json), so
// --version reads no file; code run from src (the unit tests) reads package.json beside src/.
declare const MIAUTH_VERSION: string | undefined;

export const VERSION: string =
  typeof MIAUTH_VERSION === "string"
    ? MIAUTH_VERSION
    : (createRequire(import.meta.url)("../package.json") as { version: string }).version;
