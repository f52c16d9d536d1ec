import { createRequire } from "node:module";

// dist/version.js and src/version.ts both sit one level below package.json.
export const VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string })
  .version;
