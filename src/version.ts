import { createRequire } from "node:module";

// src/version.ts and the dist/ chunk holding it (scripts/build.mjs) both sit one level below package.json.
export const VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string })
  .version;
